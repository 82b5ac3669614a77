using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElixiModels.Catalog;

/// <summary>A model's manifest as the registry serves it: its layers make up the download.</summary>
public sealed class RegistryManifest
{
    public RegistryManifest(string name, string? digest, IReadOnlyList<RegistryLayer> layers)
    {
        Name = name;
        Digest = digest;
        Layers = layers;
    }

    public string Name { get; }

    /// <summary>From the Docker-Content-Digest / ollama-content-digest header, without "sha256:".</summary>
    public string? Digest { get; }

    /// <summary>Every blob, the config included.</summary>
    public IReadOnlyList<RegistryLayer> Layers { get; }

    /// <summary>What a pull downloads.</summary>
    public long SizeBytes => Layers.Sum(l => l.Size);

    /// <summary>A projector layer is the image encoder of a vision model.</summary>
    public bool HasProjector => Layers.Any(l => l.MediaType.EndsWith(".projector", StringComparison.Ordinal));

    /// <summary>Parses a manifest body (config + layers).</summary>
    public static RegistryManifest Parse(string name, string? digest, string json)
    {
        ManifestFile file = JsonSerializer.Deserialize<ManifestFile>(json) ?? new ManifestFile();
        IEnumerable<RegistryLayer> layers = (file.Layers ?? new List<RegistryLayer>()).AsEnumerable();
        if (file.Config is { } config)
        {
            layers = layers.Append(config);
        }

        return new RegistryManifest(name, digest, layers.ToList());
    }

    private sealed class ManifestFile
    {
        [JsonPropertyName("config")] public RegistryLayer? Config { get; set; }
        [JsonPropertyName("layers")] public List<RegistryLayer>? Layers { get; set; }
    }
}

/// <summary>One blob of a manifest.</summary>
public sealed class RegistryLayer
{
    [JsonPropertyName("mediaType")] public string MediaType { get; set; } = string.Empty;
    [JsonPropertyName("digest")] public string Digest { get; set; } = string.Empty;
    [JsonPropertyName("size")] public long Size { get; set; }
}
