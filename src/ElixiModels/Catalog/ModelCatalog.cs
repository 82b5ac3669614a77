using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;
using ElixiModels.Models;
using ElixiModels.Resources;

namespace ElixiModels.Catalog;

/// <summary>One downloadable model in the curated catalog shipped with the module (Data/catalog.json).</summary>
public sealed class CatalogEntry
{
    /// <summary>Full name with tag, as passed to Install-OllamaModel (e.g. qwen2.5-coder:7b).</summary>
    [JsonPropertyName("name")] public string Name { get; init; } = string.Empty;
    [JsonPropertyName("description")] public string Description { get; init; } = string.Empty;
    [JsonPropertyName("family")] public string? Family { get; init; }
    [JsonPropertyName("parameterSize")] public string? ParameterSize { get; init; }
    [JsonPropertyName("quantization")] public string? Quantization { get; init; }

    /// <summary>Approximate download size in bytes.</summary>
    [JsonPropertyName("sizeBytes")] public long SizeBytes { get; init; }
    [JsonPropertyName("contextLength")] public int? ContextLength { get; init; }
    [JsonPropertyName("capabilities")] public string[] Capabilities { get; init; } = Array.Empty<string>();

    /// <summary>Task types as curated; when empty the classifier's rules decide.</summary>
    [JsonPropertyName("tasks")] public string[] Tasks { get; init; } = Array.Empty<string>();

    /// <summary>The key of the model's architecture facts in the catalog's "architectures" (several tags may share one).</summary>
    [JsonPropertyName("arch")] public string? ArchitectureId { get; init; }
}

/// <summary>
/// A model's architecture as its GGUF declares it (what /api/show reports in model_info once it is installed), shipped
/// with the catalog so that memory can be planned before a download.
/// </summary>
public sealed class CatalogArchitecture
{
    /// <summary>general.architecture, e.g. llama, qwen2, gemma3.</summary>
    [JsonPropertyName("architecture")] public string Architecture { get; init; } = string.Empty;
    [JsonPropertyName("blockCount")] public int BlockCount { get; init; }
    [JsonPropertyName("headCount")] public int HeadCount { get; init; }

    /// <summary>Null when the GGUF does not declare it (no grouped-query attention: as many as HeadCount).</summary>
    [JsonPropertyName("headCountKv")] public int? HeadCountKv { get; init; }
    [JsonPropertyName("embeddingLength")] public int EmbeddingLength { get; init; }
    [JsonPropertyName("keyLength")] public int? KeyLength { get; init; }
    [JsonPropertyName("valueLength")] public int? ValueLength { get; init; }
    [JsonPropertyName("vocabSize")] public int? VocabSize { get; init; }

    /// <summary>Where the facts were read (a published GGUF's metadata, or the model's config.json).</summary>
    [JsonPropertyName("source")] public string Source { get; init; } = string.Empty;

    /// <summary>The facts as /api/show would give them, for <see cref="Resources.MemoryEstimator"/>.</summary>
    public ModelDetails ToDetails(int? contextLength, long? parameterCount) => new()
    {
        Architecture = Architecture,
        BlockCount = BlockCount,
        HeadCount = HeadCount,
        HeadCountKv = HeadCountKv,
        EmbeddingLength = EmbeddingLength,
        KeyLength = KeyLength,
        ValueLength = ValueLength,
        VocabSize = VocabSize,
        ContextLength = contextLength,
        ParameterCount = parameterCount,
    };
}

/// <summary>The curated catalog of popular Ollama library models, embedded in the module as data.</summary>
public sealed class ModelCatalog
{
    private static readonly Lazy<ModelCatalog> Embedded = new(LoadEmbedded);

    public ModelCatalog(DateTimeOffset compiledOn, IReadOnlyList<CatalogEntry> entries, IReadOnlyDictionary<string, CatalogArchitecture>? architectures = null)
    {
        CompiledOn = compiledOn;
        Entries = entries;
        Architectures = architectures ?? new Dictionary<string, CatalogArchitecture>();
    }

    /// <summary>The catalog shipped with this version of the module.</summary>
    public static ModelCatalog Default => Embedded.Value;

    /// <summary>When the catalog's data was compiled (sizes and tags drift after that).</summary>
    public DateTimeOffset CompiledOn { get; }

    public IReadOnlyList<CatalogEntry> Entries { get; }

    /// <summary>Architecture facts by the key the entries name in "arch".</summary>
    public IReadOnlyDictionary<string, CatalogArchitecture> Architectures { get; }

    /// <summary>Every entry's full name.</summary>
    public IEnumerable<string> Names => Entries.Select(e => e.Name);

    /// <summary>The entry for a name (":latest" implied), if the catalog has it.</summary>
    public CatalogEntry? Find(string name) =>
        Entries.FirstOrDefault(e => ModelName.SameModel(e.Name, name));

    /// <summary>
    /// The memory a downloadable model is planned to need, by the same estimator as an installed one: from the
    /// catalog's architecture facts for it, else (a model the catalog lacks) its size plus 20 %.
    /// </summary>
    public MemoryEstimate PlanMemory(CatalogEntry? entry, long sizeBytes, long? parameterCount, int? contextLength)
    {
        ModelDetails? facts = ArchitectureOf(entry)?.ToDetails(entry!.ContextLength, parameterCount);
        return MemoryEstimator.Estimate(facts, sizeBytes, contextLength ?? MemoryEstimator.DefaultContext(facts),
            MemoryEstimator.KvCacheTypeFromEnvironment(), MemoryEstimator.NumParallelFromEnvironment(), MemoryEstimateBasis.Catalog);
    }

    /// <summary>The architecture facts of <paramref name="entry"/>; null when the catalog has none for it.</summary>
    public CatalogArchitecture? ArchitectureOf(CatalogEntry? entry) =>
        entry?.ArchitectureId is { } id && Architectures.TryGetValue(id, out CatalogArchitecture? a) ? a : null;

    public static ModelCatalog Parse(string json)
    {
        CatalogFile file = JsonSerializer.Deserialize<CatalogFile>(json) ?? throw new InvalidDataException("The model catalog is empty.");
        var architectures = new Dictionary<string, CatalogArchitecture>(file.Architectures ?? new Dictionary<string, CatalogArchitecture>(), StringComparer.Ordinal);
        List<CatalogEntry> models = file.Models ?? new List<CatalogEntry>();
        foreach (CatalogEntry e in models.Where(e => e.ArchitectureId is not null && !architectures.ContainsKey(e.ArchitectureId)))
        {
            throw new InvalidDataException($"The model catalog names the architecture '{e.ArchitectureId}' for {e.Name}, but does not define it.");
        }

        return new ModelCatalog(file.CompiledOn, models, architectures);
    }

    private static ModelCatalog LoadEmbedded()
    {
        using Stream stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("ElixiModels.Data.catalog.json")
            ?? throw new InvalidDataException("The module's model catalog (ElixiModels.Data.catalog.json) is missing from the assembly.");
        using var reader = new StreamReader(stream);
        return Parse(reader.ReadToEnd());
    }

    private sealed class CatalogFile
    {
        [JsonPropertyName("compiledOn")] public DateTimeOffset CompiledOn { get; set; }
        [JsonPropertyName("models")] public List<CatalogEntry>? Models { get; set; }
        [JsonPropertyName("architectures")] public Dictionary<string, CatalogArchitecture>? Architectures { get; set; }
    }
}
