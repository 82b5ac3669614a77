using System;
using System.Linq;
using ElixiModels.Selection;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class TaskClassifierTests
{
    // name | family | families | capabilities | parameters | expected task types, in order
    [Theory]
    [InlineData("nomic-embed-text:latest", "nomic-bert", "nomic-bert", "embedding", 137_000_000L, "embedding")]
    [InlineData("nomic-embed-text:latest", "nomic-bert", "nomic-bert", "", 137_000_000L, "embedding")]
    [InlineData("mxbai-embed-large:latest", "bert", "bert", "", 334_000_000L, "embedding")]
    [InlineData("qwen2.5-coder:7b", "qwen2", "qwen2", "completion,tools,insert", 7_600_000_000L, "coding,tools")]
    [InlineData("qwen2.5-coder:1.5b", "qwen2", "qwen2", "", 1_500_000_000L, "coding,fast")]
    [InlineData("codellama:7b", "llama", "llama", "", 7_000_000_000L, "coding")]
    [InlineData("llava:7b", "llama", "llama,clip", "completion,vision", 7_000_000_000L, "vision,analysis,general,creative")]
    [InlineData("llava:7b", "llama", "llama,clip", "", 7_000_000_000L, "vision,analysis,general,creative")]
    [InlineData("deepseek-r1:8b", "qwen3", "qwen3", "completion,thinking", 8_200_000_000L, "analysis,general,creative")]
    [InlineData("deepseek-r1:1.5b", "qwen2", "qwen2", "", 1_500_000_000L, "analysis,general,fast")]
    [InlineData("llama3.2:3b", "llama", "llama", "completion,tools", 3_200_000_000L, "general,creative,fast,tools")]
    [InlineData("llama3.1:8b", "llama", "llama", "completion,tools", 8_000_000_000L, "analysis,general,creative,tools")]
    [InlineData("gemma3:1b", "gemma3", "gemma3", "completion", 1_000_000_000L, "general,fast")]
    [InlineData("phi3:mini", "phi3", "phi3", "completion", 3_800_000_000L, "general,creative,fast")]
    [InlineData("mistral:7b", "llama", "llama", "completion,tools", 7_200_000_000L, "analysis,general,creative,tools")]
    [InlineData("qwen3:4b", "qwen3", "qwen3", "completion,tools,thinking", 4_000_000_000L, "analysis,general,creative,fast,tools")]
    [InlineData("smollm2:135m", "llama", "llama", "completion", 135_000_000L, "general,fast")]
    [InlineData("custom-model:latest", null, "", "", null, "general")]
    public void Classifies_by_capabilities_then_architecture_name_and_size(string name, string? family, string families, string caps, long? parameters, string expected)
    {
        var traits = new ModelTraits
        {
            Name = name,
            Family = family,
            Families = Split(families),
            Capabilities = Split(caps),
            ParameterCount = parameters,
        };
        Assert.Equal(expected, string.Join(",", TaskClassifier.TaskNames(traits)));
    }

    [Fact]
    public void Every_match_says_why()
    {
        var traits = new ModelTraits { Name = "qwen2.5-coder:7b", Capabilities = new[] { "completion", "insert" }, ParameterCount = 7_600_000_000 };
        TaskMatch coding = TaskClassifier.Classify(traits)[0];
        Assert.Equal(ModelTask.Coding, coding.Task);
        Assert.Contains("fill-in-the-middle", coding.Because);
    }

    private static string[] Split(string s) => s.Split(',', StringSplitOptions.RemoveEmptyEntries);
}
