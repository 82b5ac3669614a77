using System;
using System.Collections.Generic;
using System.Linq;
using ElixiModels.Catalog;
using ElixiModels.Selection;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class ModelSelectorTests
{
    private const long GB = 1_000_000_000;

    // The simulator's default fleet, as Select-OllamaModel sees it after /api/show.
    private static readonly Func<ModelCandidate>[] Fleet =
    {
        () => M("llama3.2:3b", "completion,tools", 3.2, size: 2.0, family: "llama", ctx: 131_072),
        () => M("qwen2.5-coder:7b", "completion,tools,insert", 7.6, size: 4.7, family: "qwen2", ctx: 32_768),
        () => M("nomic-embed-text:latest", "embedding", 0.137, "F16", size: 0.27, family: "nomic-bert", ctx: 2048),
        () => M("llava:7b", "completion,vision", 7.2, "Q4_0", size: 4.7, family: "llama", families: "llama,clip", ctx: 32_768),
        () => M("phi3:mini", "completion", 3.8, "Q4_0", size: 2.2, family: "phi3", ctx: 131_072),
        () => M("deepseek-r1:8b", "completion,thinking", 8.2, size: 5.2, family: "qwen3", ctx: 131_072),
        () => M("gemma3:1b", "completion", 1.0, size: 0.8, family: "gemma3", ctx: 32_768),
    };

    public static IEnumerable<object[]> RankingCases() => new[]
    {
        // task | candidates (fleet names, or inline specs) | expected winner | phrase its Reason must contain
        Case(ModelTask.Coding, FleetAll(), "qwen2.5-coder:7b", "fill-in-the-middle"),
        Case(ModelTask.Vision, FleetAll(), "llava:7b", "'vision' capability"),
        Case(ModelTask.Embedding, FleetAll(), "nomic-embed-text:latest", "'embedding' capability"),
        Case(ModelTask.Analysis, FleetAll(), "deepseek-r1:8b", "'thinking' capability"),
        Case(ModelTask.Fast, FleetAll(), "gemma3:1b", "is small"),
        Case(ModelTask.Tools, FleetAll(), "llama3.2:3b", "'tools' capability"),
        // A coder is better at code than a far larger general model.
        Case(ModelTask.Coding, new[] { M("qwen2.5-coder:7b", "completion,tools,insert", 7.6), M("llama3.3:70b", "completion,tools", 70.6) },
            "qwen2.5-coder:7b", "fill-in-the-middle"),
        // No coder installed: the strongest general model, and the Reason says it is a fallback.
        Case(ModelTask.Coding, new[] { M("gemma3:1b", "completion", 1.0), M("llama3.1:8b", "completion,tools", 8.0) },
            "llama3.1:8b", "falls back"),
        // A reasoning model beats a general model of its size for analysis; a 70 B general model beats both.
        Case(ModelTask.Analysis, new[] { M("deepseek-r1:8b", "completion,thinking", 8.2), M("llama3.1:8b", "completion,tools", 8.0) },
            "deepseek-r1:8b", "'thinking' capability"),
        Case(ModelTask.Analysis, new[] { M("deepseek-r1:8b", "completion,thinking", 8.2), M("llama3.3:70b", "completion,tools", 70.6) },
            "llama3.3:70b", "large general model"),
        // Specialists for something else lose general tasks to a general model of their size.
        Case(ModelTask.General, new[] { M("llava:7b", "completion,vision", 7.2), M("mistral:7b", "completion,tools", 7.2) },
            "mistral:7b", "can chat"),
        Case(ModelTask.Tools, new[] { M("qwen2.5-coder:7b", "completion,tools,insert", 7.6), M("mistral:7b", "completion,tools", 7.2) },
            "mistral:7b", "'tools' capability"),
        // Quality: same size, better quantization.
        Case(ModelTask.General, new[] { M("mistral:7b-q2", "completion", 7.2, "Q2_K"), M("mistral:7b-q8", "completion", 7.2, "Q8_0") },
            "mistral:7b-q8", "Q8_0"),
        // Measured speed beats the size estimate.
        Case(ModelTask.Fast, new[] { M("gemma3:1b", "completion", 1.0, tps: 20), M("phi3:mini", "completion", 3.8, tps: 150) },
            "phi3:mini", "measured 150 tokens/s"),
        // A model whose runs all failed is not fast, whatever its size.
        Case(ModelTask.Fast, new[] { M("gemma3:1b", "completion", 1.0, tps: 200, errors: 1.0), M("smollm2:1.7b", "completion", 1.7, tps: 90) },
            "smollm2:1.7b", "measured 90 tokens/s"),
        // Already loaded wins a close call.
        Case(ModelTask.General, new[] { M("mistral:7b", "completion", 7.2), M("llama3.1:8b", "completion", 8.0, loaded: true) },
            "llama3.1:8b", "already loaded"),
        Case(ModelTask.General, new[] { M("mistral:7b", "completion", 7.2, loaded: true), M("llama3.1:8b", "completion", 8.0) },
            "mistral:7b", "already loaded"),
    };

    [Theory]
    [MemberData(nameof(RankingCases))]
    public void Ranks_by_the_documented_score(ModelTask task, ModelCandidate[] candidates, string winner, string because)
    {
        SelectionOutcome outcome = ModelSelector.Rank(candidates, new SelectionRequest { Task = task });
        ScoredCandidate first = outcome.Ranked[0];
        Assert.Equal(winner, first.Candidate.Name);
        Assert.Contains(because, first.Reason);
        Assert.Equal(first.Score, first.FitPoints + first.QualityPoints + first.SpeedPoints + first.LoadedPoints, 0);
        Assert.Equal(outcome.Ranked.OrderByDescending(s => s.Score).Select(s => s.Score), outcome.Ranked.Select(s => s.Score));
        Assert.All(outcome.Ranked, s => Assert.InRange(s.Score, 0, 100));
    }

    // task | filters | the models that survive, in rank order
    [Theory]
    [InlineData(ModelTask.Vision, null, null, "llava:7b")]
    [InlineData(ModelTask.Embedding, null, null, "nomic-embed-text:latest")]
    [InlineData(ModelTask.Tools, null, null, "llama3.2:3b,qwen2.5-coder:7b")]
    [InlineData(ModelTask.General, 100_000, null, "llama3.2:3b,phi3:mini,deepseek-r1:8b")]
    [InlineData(ModelTask.Analysis, null, 3.0, "phi3:mini,llama3.2:3b,gemma3:1b")]
    [InlineData(ModelTask.Coding, 100_000, 3.0, "llama3.2:3b,phi3:mini")]
    public void Hard_filters_come_before_the_score(ModelTask task, int? minContext, double? freeGb, string expected)
    {
        IEnumerable<ModelCandidate> fleet = FleetAll().Select(c => c with { MemoryAvailableBytes = freeGb is { } f ? (long)(f * GB) : null });
        SelectionOutcome outcome = ModelSelector.Rank(fleet, new SelectionRequest { Task = task, MinContext = minContext });
        Assert.Equal(expected, string.Join(",", outcome.Ranked.Select(s => s.Candidate.Name)));
        Assert.Equal(Fleet.Length, outcome.Ranked.Count + outcome.Rejected.Count);
    }

    [Fact]
    public void Each_rejection_names_its_filter_and_the_first_failing_filter_wins()
    {
        ModelCandidate[] candidates =
        {
            M("gpt-oss:120b-cloud", "completion,tools", 120, cloud: true),
            M("nomic-embed-text:latest", "embedding", 0.137, ctx: 2048),
            M("tinyllama:latest", "completion", 1.1, ctx: 2048),
            M("llama3.1:70b", "completion", 70, size: 40, ctx: 131_072, free: 16 * GB),
            M("llama3.1:8b", "completion", 8, size: 4.9, ctx: 131_072, free: 16 * GB),
        };
        SelectionOutcome outcome = ModelSelector.Rank(candidates, new SelectionRequest { Task = ModelTask.General, MinContext = 8192 });
        Assert.Equal("llama3.1:8b", Assert.Single(outcome.Ranked).Candidate.Name);
        Assert.Equal(
            new[] { "gpt-oss:120b-cloud:cloud", "nomic-embed-text:latest:capability", "tinyllama:latest:context", "llama3.1:70b:memory" },
            outcome.Rejected.Select(r => r.Candidate.Name + ":" + r.Filter));
        Assert.Contains("needs about 45 GiB, 15 GiB free", outcome.Rejected.Single(r => r.Filter == "memory").Reason);

        SelectionOutcome withCloud = ModelSelector.Rank(candidates, new SelectionRequest { Task = ModelTask.General, MinContext = 8192, IncludeCloud = true });
        Assert.Contains(withCloud.Ranked, s => s.Candidate.Name == "gpt-oss:120b-cloud");
    }

    [Fact]
    public void A_loaded_model_fits_even_when_free_memory_is_low()
    {
        ModelCandidate loaded = M("llama3.1:8b", "completion", 8, size: 4.9, loaded: true, free: 1 * GB);
        ModelCandidate idle = M("mistral:7b", "completion", 7.2, size: 4.4, free: 1 * GB);
        SelectionOutcome outcome = ModelSelector.Rank(new[] { loaded, idle }, new SelectionRequest { Task = ModelTask.General });
        Assert.Equal("llama3.1:8b", Assert.Single(outcome.Ranked).Candidate.Name);
        Assert.Equal("memory", Assert.Single(outcome.Rejected).Filter);
    }

    [Fact]
    public void An_explicit_memory_limit_applies_to_loaded_models_too()
    {
        ModelCandidate loaded = M("llama3.1:8b", "completion", 8, size: 4.9, loaded: true, free: 1 * GB);
        SelectionOutcome outcome = ModelSelector.Rank(new[] { loaded }, new SelectionRequest { Task = ModelTask.General, ExplicitMemoryLimit = true });
        Assert.Empty(outcome.Ranked);
        Assert.Contains("-MemoryLimit", Assert.Single(outcome.Rejected).Reason);
    }

    [Fact]
    public void Unknown_capabilities_fall_back_to_what_the_name_proves()
    {
        ModelCandidate[] candidates = new[] { M("llava:13b", "", 13), M("mystery:latest", "", 7), M("mxbai-embed-large:latest", "", 0.3, family: "bert") }
            .Select(c => c with { Capabilities = null }).ToArray();

        Assert.Equal("llava:13b", Assert.Single(ModelSelector.Rank(candidates, new SelectionRequest { Task = ModelTask.Vision }).Ranked).Candidate.Name);
        Assert.Equal("mxbai-embed-large:latest", Assert.Single(ModelSelector.Rank(candidates, new SelectionRequest { Task = ModelTask.Embedding }).Ranked).Candidate.Name);
        Assert.Empty(ModelSelector.Rank(candidates, new SelectionRequest { Task = ModelTask.Tools }).Ranked);
        Assert.Equal(2, ModelSelector.Rank(candidates, new SelectionRequest { Task = ModelTask.General }).Ranked.Count);
    }

    [Fact]
    public void No_candidate_message_says_what_each_filter_removed()
    {
        ModelCandidate[] candidates =
        {
            M("llama3.2:3b", "completion,tools", 3.2, ctx: 131_072),
            M("gemma3:1b", "completion", 1, ctx: 32_768),
            M("qwen3-vl:235b-cloud", "completion,vision", 235, cloud: true),
            M("llava:34b", "completion,vision", 34, size: 20, ctx: 4096, free: 8 * GB),
        };
        var request = new SelectionRequest { Task = ModelTask.Vision };
        SelectionOutcome outcome = ModelSelector.Rank(candidates, request);
        Assert.Empty(outcome.Ranked);
        string message = ModelSelector.DescribeNoCandidate(outcome, request, new[] { "http://127.0.0.1:11434" });
        Assert.Contains("'vision'", message);
        Assert.Contains("http://127.0.0.1:11434", message);
        Assert.Contains("no 'vision' capability): llama3.2:3b (completion, tools), gemma3:1b (completion)", message);
        Assert.Contains("-IncludeCloud", message);
        Assert.Contains("qwen3-vl:235b-cloud", message);
        Assert.Contains("do not fit in the free memory: llava:34b (needs about 22 GiB, 7.5 GiB free)", message);

        string empty = ModelSelector.DescribeNoCandidate(new SelectionOutcome(), request, new[] { "http://h:1" });
        Assert.Contains("No model is installed on http://h:1", empty);
    }

    [Fact]
    public void Suggests_catalog_models_made_for_the_task_that_fit_and_are_not_installed()
    {
        ModelCatalog catalog = ModelCatalog.Parse("""
            { "compiledOn": "2026-11-24T00:00:00Z", "models": [
              { "name": "llama3.2:3b", "family": "llama", "parameterSize": "3.2B", "quantization": "Q4_K_M", "sizeBytes": 2019393189, "contextLength": 131072, "capabilities": ["completion","tools"] },
              { "name": "qwen2.5-coder:7b", "family": "qwen2", "parameterSize": "7.6B", "quantization": "Q4_K_M", "sizeBytes": 4683087332, "contextLength": 32768, "capabilities": ["completion","tools","insert"] },
              { "name": "qwen2.5-coder:32b", "family": "qwen2", "parameterSize": "32.8B", "quantization": "Q4_K_M", "sizeBytes": 19851336256, "contextLength": 32768, "capabilities": ["completion","tools","insert"] },
              { "name": "qwen2.5-coder:1.5b", "family": "qwen2", "parameterSize": "1.5B", "quantization": "Q4_K_M", "sizeBytes": 986048576, "contextLength": 32768, "capabilities": ["completion","tools","insert"] },
              { "name": "llava:7b", "family": "llama", "parameterSize": "7B", "quantization": "Q4_0", "sizeBytes": 4733363377, "contextLength": 32768, "capabilities": ["completion","vision"], "tasks": ["vision","general"] },
              { "name": "nomic-embed-text:latest", "family": "nomic-bert", "parameterSize": "137M", "quantization": "F16", "sizeBytes": 274302450, "contextLength": 2048, "capabilities": ["embedding"] }
            ] }
            """);
        var coding = new SelectionRequest { Task = ModelTask.Coding };
        Assert.Equal(new[] { "qwen2.5-coder:32b", "qwen2.5-coder:7b", "qwen2.5-coder:1.5b" },
            ModelSelector.Suggest(catalog, coding, Array.Empty<string>(), null).Select(e => e.Name));
        Assert.Equal(new[] { "qwen2.5-coder:7b", "qwen2.5-coder:1.5b" },
            ModelSelector.Suggest(catalog, coding, Array.Empty<string>(), 8 * GB).Select(e => e.Name));
        Assert.Equal(new[] { "qwen2.5-coder:32b", "qwen2.5-coder:1.5b" },
            ModelSelector.Suggest(catalog, coding, new[] { "qwen2.5-coder:7b" }, null).Select(e => e.Name));
        Assert.Equal(new[] { "llava:7b" }, ModelSelector.Suggest(catalog, new SelectionRequest { Task = ModelTask.Vision }, Array.Empty<string>(), null).Select(e => e.Name));
        Assert.Empty(ModelSelector.Suggest(catalog, new SelectionRequest { Task = ModelTask.Embedding, MinContext = 8192 }, Array.Empty<string>(), null));
    }

    // quantization | factor
    [Theory]
    [InlineData("F16", 1.0)]
    [InlineData("BF16", 1.0)]
    [InlineData("Q8_0", 0.98)]
    [InlineData("Q6_K", 0.96)]
    [InlineData("Q5_K_M", 0.94)]
    [InlineData("Q4_K_M", 0.90)]
    [InlineData("Q4_0", 0.85)]
    [InlineData("Q3_K_S", 0.75)]
    [InlineData("Q2_K", 0.60)]
    [InlineData(null, 0.90)]
    public void Quantization_factor_follows_the_table(string? quantization, double factor) =>
        Assert.Equal(factor, ModelSelector.QuantizationFactor(quantization), 3);

    // parameters or tokens/s | part
    [Theory]
    [InlineData(0.5e9, 0.0)]
    [InlineData(70e9, 1.0)]
    [InlineData(8e9, 0.5611)]
    [InlineData(400e9, 1.0)]
    public void Parameter_part_is_logarithmic(double parameters, double expected) =>
        Assert.Equal(expected, ModelSelector.ParameterPart((long)parameters), 3);

    [Theory]
    [InlineData(5, 0.0)]
    [InlineData(200, 1.0)]
    [InlineData(1000, 1.0)]
    [InlineData(31.6227766, 0.5)]
    [InlineData(0, 0.0)]
    public void Measured_speed_is_logarithmic(double tokensPerSecond, double expected) =>
        Assert.Equal(expected, ModelSelector.MeasuredSpeed(tokensPerSecond), 3);

    private static object[] Case(ModelTask task, ModelCandidate[] candidates, string winner, string because) =>
        new object[] { task, candidates, winner, because };

    private static ModelCandidate[] FleetAll() => Fleet.Select(f => f()).ToArray();

    private static ModelCandidate M(string name, string caps, double billions, string quant = "Q4_K_M", double? size = null,
        string? family = null, string? families = null, int? ctx = 32_768, bool loaded = false, double? tps = null, double? errors = null,
        bool cloud = false, long? free = null) => new()
        {
            Name = name,
            Host = "http://127.0.0.1:11434",
            Family = family,
            Families = (families ?? family ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries),
            ParameterCount = (long)(billions * GB),
            ParameterSize = billions.ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "B",
            Quantization = quant,
            SizeBytes = (long)((size ?? billions * 0.6) * GB),
            Capabilities = caps.Split(',', StringSplitOptions.RemoveEmptyEntries),
            ContextLength = ctx,
            IsLoaded = loaded,
            LoadedBytes = loaded ? (long)((size ?? billions * 0.6) * GB * 1.1) : null,
            IsCloud = cloud,
            MemoryAvailableBytes = free,
            MeasuredTokensPerSecond = tps,
            MeasuredErrorRate = tps is null ? null : errors ?? 0,
            MeasuredRuns = tps is null ? null : 5,
        };
}
