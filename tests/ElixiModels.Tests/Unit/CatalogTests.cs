using System;
using System.Collections.Generic;
using System.Linq;
using ElixiModels.Catalog;
using ElixiModels.Models;
using ElixiModels.Resources;
using ElixiModels.Selection;
using ElixiModels.Session;
using Xunit;

namespace ElixiModels.Tests.Unit;

public sealed class CatalogTests : IDisposable
{
    private static readonly string[] KnownCapabilities = { "completion", "tools", "insert", "vision", "embedding", "thinking" };
    private readonly SessionCache _cache = new();

    public void Dispose() => _cache.Dispose();

    [Fact]
    public void Shipped_catalog_has_at_least_40_complete_entries()
    {
        ModelCatalog c = ModelCatalog.Default;
        Assert.True(c.Entries.Count >= 40, $"only {c.Entries.Count} entries");
        Assert.True(c.CompiledOn.Year >= 2026);
        Assert.Equal(c.Entries.Count, c.Names.Select(ModelName.Normalize).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(c.Entries, e =>
        {
            Assert.True(ModelName.TryParse(e.Name, out ModelName? n, out _), e.Name);
            Assert.Equal(n!.FullName, e.Name); // always with the tag, as Install-OllamaModel takes it
            Assert.False(string.IsNullOrWhiteSpace(e.Description), e.Name);
            Assert.DoesNotContain('\n', e.Description);
            Assert.NotNull(Units.ParseParameterSize(e.ParameterSize));
            Assert.InRange(e.SizeBytes, 10_000_000, 500_000_000_000);
            Assert.InRange(e.ContextLength ?? 0, 512, 20_000_000);
            Assert.NotEmpty(e.Capabilities);
            Assert.All(e.Capabilities, cap => Assert.Contains(cap, KnownCapabilities));
            Assert.False(e.Family is null, e.Name);
            CatalogArchitecture? a = c.ArchitectureOf(e);
            Assert.True(a is not null, e.Name + " has no architecture facts");
            Assert.InRange(a!.BlockCount, 1, 200);
            Assert.InRange(a.HeadCountKv ?? a.HeadCount, 1, a.HeadCount);
            Assert.True(a.KeyLength is > 0 || a.EmbeddingLength % a.HeadCount == 0, e.Name + ": the head size is neither declared nor embedding / heads");
            Assert.False(string.IsNullOrWhiteSpace(a.Source), e.Name);
        });
        Assert.Equal(c.Architectures.Keys.OrderBy(k => k), c.Entries.Select(e => e.ArchitectureId!).Distinct().OrderBy(k => k));
    }

    [Fact]
    public void A_catalog_naming_an_undefined_architecture_is_rejected()
    {
        var ex = Assert.Throws<System.IO.InvalidDataException>(() => ModelCatalog.Parse(
            "{\"compiledOn\":\"2026-11-24T00:00:00Z\",\"models\":[{\"name\":\"a:1b\",\"arch\":\"nope\"}],\"architectures\":{}}"));
        Assert.Contains("'nope'", ex.Message);
    }

    [Fact]
    public void Every_task_and_capability_has_catalog_models_in_several_sizes()
    {
        var available = new AvailableModels(ModelCatalog.Default, _cache);
        List<OllamaCatalogModel> all = ModelCatalog.Default.Entries
            .Select(e => available.Describe(new AvailableCandidate(ModelName.Parse(e.Name), e, null), "h", false, null)).ToList();
        foreach (ModelTask task in Enum.GetValues(typeof(ModelTask)))
        {
            List<OllamaCatalogModel> suited = all.Where(m => m.TaskTypes.Contains(TaskClassifier.Name(task))).ToList();
            Assert.True(suited.Count >= 3, $"{task}: {suited.Count}");
            Assert.True(suited.Min(m => m.SizeBytes) < 5_000_000_000, $"{task} has no small model");
        }

        Assert.All(all.Where(m => m.Capabilities.Contains("embedding")), m => Assert.Equal(new[] { "embedding" }, m.TaskTypes));
        Assert.All(all.Where(m => m.Capabilities.Contains("vision")), m => Assert.Contains("vision", m.TaskTypes));
    }

    // catalog name | expected task types (the classifier's rules on catalog data)
    [Theory]
    [InlineData("qwen2.5-coder:7b", "coding,tools")]
    [InlineData("qwen2.5-coder:1.5b", "coding,fast,tools")]
    [InlineData("codellama:34b", "coding")]
    [InlineData("qwen3-coder:30b", "coding,tools")]
    [InlineData("devstral:24b", "coding,tools")]
    [InlineData("starcoder2:3b", "coding,fast")]
    [InlineData("deepseek-r1:8b", "analysis,general,creative")]
    [InlineData("gemma3:4b", "vision,general,creative,fast")]
    [InlineData("llama3.2:3b", "general,creative,fast,tools")]
    [InlineData("nomic-embed-text:latest", "embedding")]
    [InlineData("qwen3:4b", "analysis,general,creative,fast,tools")]
    [InlineData("llama3.2-vision:11b", "vision,analysis,general,creative")]
    public void Catalog_entries_are_classified_by_the_documented_rules(string name, string expected)
    {
        CatalogEntry entry = ModelCatalog.Default.Find(name)!;
        OllamaCatalogModel m = new AvailableModels(ModelCatalog.Default, _cache).Describe(new AvailableCandidate(ModelName.Parse(name), entry, null), "h", false, null);
        Assert.Equal(expected, string.Join(",", m.TaskTypes));
    }

    [Theory]
    [InlineData("7b", "7B")]
    [InlineData("1.5b-instruct-q4_K_M", "1.5B")]
    [InlineData("8x7b", "8x7B")]
    [InlineData("135m", "135M")]
    [InlineData("latest", null)]
    [InlineData("e2b", null)]
    [InlineData("v1.5-fp16", null)]
    [InlineData("70b-instruct", "70B")]
    public void Parameter_size_is_read_from_the_tag(string tag, string? expected) =>
        Assert.Equal(expected, AvailableModels.ParameterSizeFromTag(tag));

    [Fact]
    public void A_registry_answer_overrides_size_adds_vision_for_a_projector_and_sets_the_source()
    {
        var manifest = new RegistryManifest("llava:7b", "abc123", new[]
        {
            new RegistryLayer { MediaType = "application/vnd.ollama.image.model", Size = 4_000_000_000 },
            new RegistryLayer { MediaType = "application/vnd.ollama.image.projector", Size = 600_000_000 },
            new RegistryLayer { MediaType = "application/vnd.docker.container.image.v1+json", Size = 500 },
        });
        var available = new AvailableModels(ModelCatalog.Default, _cache);
        OllamaCatalogModel fromRegistryOnly = available.Describe(new AvailableCandidate(ModelName.Parse("some-vlm:13b"), null, manifest), "h", true, null);
        Assert.Equal(4_600_000_500, fromRegistryOnly.SizeBytes);
        Assert.Equal("Registry", fromRegistryOnly.Source);
        Assert.Equal("abc123", fromRegistryOnly.Digest);
        Assert.Equal(new[] { "vision" }, fromRegistryOnly.Capabilities);
        Assert.Equal(13_000_000_000L, fromRegistryOnly.ParameterSize);
        Assert.Contains("vision", fromRegistryOnly.TaskTypes);
        Assert.True(fromRegistryOnly.IsInstalled);
        Assert.Equal(ModelCatalog.Default.CompiledOn, fromRegistryOnly.CatalogDate);

        OllamaCatalogModel catalogOnly = available.Describe(new AvailableCandidate(ModelName.Parse("llava:7b"), ModelCatalog.Default.Find("llava:7b"), null), "h", false, null);
        Assert.Equal("Catalog", catalogOnly.Source);
        Assert.Equal(ModelCatalog.Default.Find("llava:7b")!.SizeBytes, catalogOnly.SizeBytes);
        Assert.Null(catalogOnly.FitsMemory);
        Assert.Null(catalogOnly.EstimatedMemory.GpuBytes); // another machine's GPUs and RAM are unknown: not placed
    }

    // task | capabilities | max size | fits filter | available RAM GB | expected names (of a fixed set)
    [Theory]
    [InlineData("Coding", "", 0L, false, 64.0, "qwen2.5-coder:1.5b,qwen2.5-coder:7b,qwen2.5-coder:32b")]
    [InlineData("Coding", "", 0L, true, 8.0, "qwen2.5-coder:1.5b,qwen2.5-coder:7b")]
    [InlineData("Coding", "", 0L, true, 2.0, "")]
    [InlineData("Coding", "", 0L, true, 3.0, "qwen2.5-coder:1.5b")]
    [InlineData("Coding", "", 5_000_000_000L, false, 64.0, "qwen2.5-coder:1.5b,qwen2.5-coder:7b")]
    [InlineData(null, "vision", 0L, false, 64.0, "llava:7b,gemma3:4b")]
    [InlineData(null, "vision,tools", 0L, false, 64.0, "")]
    [InlineData(null, "embedding", 0L, true, 4.0, "nomic-embed-text:latest")]
    [InlineData("Fast", "", 0L, false, 64.0, "qwen2.5-coder:1.5b,gemma3:4b,llama3.2:3b")]
    public void Available_filters_combine(string? task, string capabilities, long maxSize, bool fits, double ramGb, string expected)
    {
        string[] names = { "qwen2.5-coder:1.5b", "qwen2.5-coder:7b", "qwen2.5-coder:32b", "llava:7b", "gemma3:4b", "nomic-embed-text:latest", "llama3.2:3b", "deepseek-r1:8b" };
        var resources = new HostResources { AvailableMemoryBytes = (long)(ramGb * 1e9), TotalMemoryBytes = (long)(ramGb * 1e9) };
        var available = new AvailableModels(ModelCatalog.Default, _cache);
        var filter = new AvailableFilter
        {
            Task = task is null ? null : Enum.Parse<ModelTask>(task),
            Capabilities = capabilities.Split(',', StringSplitOptions.RemoveEmptyEntries),
            MaxSize = maxSize > 0 ? maxSize : null,
            FitsMemory = fits,
        };
        IEnumerable<string> found = names
            .Select(n => available.Describe(new AvailableCandidate(ModelName.Parse(n), ModelCatalog.Default.Find(n), null), "h", false, resources))
            .Where(filter.Matches)
            .Select(m => m.Name);
        Assert.Equal(expected, string.Join(",", found));
    }
}
