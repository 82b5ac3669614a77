using System.Collections.Generic;
using System.Text.Json;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Session;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class ModelDetailsTests
{
    [Fact]
    public void Real_show_capture_gives_capabilities_and_model_info()
    {
        string body = System.IO.File.ReadAllText(Repo.Path2("tests", "OllamaSimulator.Tests", "captures", "show.body"));
        WireShow show = JsonSerializer.Deserialize<WireShow>(body)!;
        ModelDetails d = ModelDetails.FromShow(show, "abc");
        Assert.Equal(new[] { "completion" }, d.Capabilities);
        Assert.Equal("llama", d.Architecture);
        Assert.Equal(116_288L, d.ParameterCount);
        Assert.Equal(2048, d.ContextLength);
        Assert.Equal(64, d.EmbeddingLength);
        Assert.Equal("abc", d.Digest);
        Assert.Equal("512", d.Parameters["num_ctx"]);
        Assert.Equal("0.8", d.Parameters["temperature"]);
        Assert.StartsWith("{{- if .System }}", d.Template);
    }

    [Fact]
    public void Repeated_parameters_are_joined_and_go_quotes_removed()
    {
        IReadOnlyDictionary<string, string> p = ModelDetails.ParseParameters(
            "stop                           \"<|start_header_id|>\"\nstop                           \"<|eot_id|>\"\ntemperature                    0.6\n");
        Assert.Equal("<|start_header_id|>, <|eot_id|>", p["stop"]);
        Assert.Equal("0.6", p["temperature"]);
        Assert.Empty(ModelDetails.ParseParameters(null));
    }

    [Fact]
    public void Context_length_is_found_when_the_key_uses_another_architecture_name()
    {
        var show = new WireShow
        {
            ModelInfo = new Dictionary<string, JsonElement>
            {
                ["general.architecture"] = JsonDocument.Parse("\"qwen3moe\"").RootElement,
                ["qwen3.context_length"] = JsonDocument.Parse("262144").RootElement,
                ["qwen3.embedding_length"] = JsonDocument.Parse("2048").RootElement,
            },
            Capabilities = new[] { "Completion", "Tools" },
        };
        ModelDetails d = ModelDetails.FromShow(show, string.Empty);
        Assert.Equal(262_144, d.ContextLength);
        Assert.Equal(2048, d.EmbeddingLength);
        Assert.Equal(new[] { "completion", "tools" }, d.Capabilities);
        Assert.Null(d.ParameterCount);
    }

    [Fact]
    public void Session_cache_counts_entries_per_kind_and_clears_one_kind()
    {
        using var cache = new SessionCache();
        cache.Set("details:aaa", 1);
        cache.Set("details:bbb", 2);
        cache.Set("registry:https://r|x:1", 3);
        Assert.True(cache.TryGet("details:aaa", out int _));
        Assert.False(cache.TryGet("details:zzz", out int _));
        CacheStatistics s = cache.GetStatistics();
        Assert.Equal(3, s.Entries);
        Assert.Equal(2, s.Kinds["details"]);
        Assert.Equal(1, s.Kinds["registry"]);
        Assert.Equal(1, s.Hits);
        Assert.Equal(1, s.Misses);
        Assert.Equal(0.5, s.HitRate);

        Assert.Equal(2, cache.Clear("DETAILS"));
        Assert.Equal(1, cache.GetStatistics().Entries);
        Assert.False(cache.GetStatistics().Kinds.ContainsKey("details"));
    }
}
