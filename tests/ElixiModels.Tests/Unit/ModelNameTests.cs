using ElixiModels.Models;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class ModelNameTests
{
    [Theory]
    [InlineData("llama3.2", "llama3.2:latest", "llama3.2", "latest")]
    [InlineData("llama3.2:3b", "llama3.2:3b", "llama3.2", "3b")]
    [InlineData("  qwen2.5-coder:7b ", "qwen2.5-coder:7b", "qwen2.5-coder", "7b")]
    [InlineData("library/mistral", "mistral:latest", "mistral", "latest")]
    [InlineData("user/my-model:v1", "user/my-model:v1", "user/my-model", "v1")]
    [InlineData("registry.example.com/team/model:q4", "registry.example.com/team/model:q4", "registry.example.com/team/model", "q4")]
    [InlineData("hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M", "hf.co/bartowski/Llama-3.2-1B-Instruct-GGUF", "Q4_K_M")]
    [InlineData("gpt-oss:120b-cloud", "gpt-oss:120b-cloud", "gpt-oss", "120b-cloud")]
    public void Parses_valid_names(string text, string full, string baseName, string tag)
    {
        Assert.True(ModelName.TryParse(text, out ModelName? name, out string? problem), problem);
        Assert.Equal(full, name!.FullName);
        Assert.Equal(baseName, name.BaseName);
        Assert.Equal(tag, name.Tag);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("../etc/passwd")]
    [InlineData("a/../b")]
    [InlineData("..")]
    [InlineData("model\\name")]
    [InlineData("/llama3")]
    [InlineData("llama3/")]
    [InlineData("llama 3")]
    [InlineData("llama3:")]
    [InlineData(":tag")]
    [InlineData("llama3:a:b")]
    [InlineData("a/b/c/d")]
    [InlineData("-leadingdash")]
    [InlineData("llama3?x=1")]
    [InlineData("llama3#frag")]
    [InlineData("llama%2F3")]
    [InlineData("model:tag with space")]
    public void Rejects_invalid_names(string? text)
    {
        Assert.False(ModelName.TryParse(text, out _, out string? problem));
        Assert.False(string.IsNullOrWhiteSpace(problem));
    }

    [Fact]
    public void Rejects_overlong_names()
    {
        Assert.False(ModelName.TryParse(new string('a', 600), out _, out _));
        Assert.False(ModelName.TryParse(new string('a', 81), out _, out _));
        Assert.True(ModelName.TryParse(new string('a', 80), out _, out _));
    }

    [Theory]
    [InlineData("llama3.2", "llama3.2:latest", true)]
    [InlineData("LLAMA3.2:Latest", "llama3.2:latest", true)]
    [InlineData("llama3.2:3b", "llama3.2:latest", false)]
    public void SameModel_implies_latest_and_ignores_case(string a, string b, bool same)
    {
        Assert.Equal(same, ModelName.SameModel(a, b));
    }
}
