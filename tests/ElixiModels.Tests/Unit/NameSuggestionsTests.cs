using ElixiModels.Models;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class NameSuggestionsTests
{
    private static readonly string[] Known = { "llama3.2:3b", "llama3.1:8b", "qwen2.5-coder:7b", "phi3:mini", "mistral:7b" };

    [Theory]
    [InlineData("llama3.2", "llama3.2:3b")]
    [InlineData("lama3.2:3b", "llama3.2:3b")]
    [InlineData("qwen2.5-codr", "qwen2.5-coder:7b")]
    [InlineData("mistrl", "mistral:7b")]
    [InlineData("phi3", "phi3:mini")]
    public void Suggests_the_closest_name_first(string wanted, string expected)
    {
        Assert.Equal(expected, NameSuggestions.Similar(wanted, Known)[0]);
    }

    [Fact]
    public void Suggests_nothing_for_unrelated_names()
    {
        Assert.Empty(NameSuggestions.Similar("stable-diffusion-xl", Known));
    }
}
