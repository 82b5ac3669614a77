using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using ElixiModels.Models;

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
}

/// <summary>The curated catalog of popular Ollama library models, embedded in the module as data.</summary>
public sealed class ModelCatalog
{
    private static readonly Lazy<ModelCatalog> Embedded = new(LoadEmbedded);

    public ModelCatalog(DateTimeOffset compiledOn, IReadOnlyList<CatalogEntry> entries)
    {
        CompiledOn = compiledOn;
        Entries = entries;
    }

    /// <summary>The catalog shipped with this version of the module.</summary>
    public static ModelCatalog Default => Embedded.Value;

    /// <summary>When the catalog's data was compiled (sizes and tags drift after that).</summary>
    public DateTimeOffset CompiledOn { get; }

    public IReadOnlyList<CatalogEntry> Entries { get; }

    /// <summary>Every entry's full name.</summary>
    public IEnumerable<string> Names => Entries.Select(e => e.Name);

    /// <summary>The entry for a name (":latest" implied), if the catalog has it.</summary>
    public CatalogEntry? Find(string name) =>
        Entries.FirstOrDefault(e => ModelName.SameModel(e.Name, name));

    public static ModelCatalog Parse(string json)
    {
        CatalogFile file = JsonSerializer.Deserialize<CatalogFile>(json) ?? throw new InvalidDataException("The model catalog is empty.");
        return new ModelCatalog(file.CompiledOn, file.Models ?? new List<CatalogEntry>());
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
    }
}
