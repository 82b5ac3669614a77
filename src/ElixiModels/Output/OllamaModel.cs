using System;
using System.Collections.Generic;
using ElixiModels.Ollama;
using ElixiModels.Selection;

namespace ElixiModels.Models;

/// <summary>A model installed on an Ollama server (Get-OllamaModel).</summary>
public sealed class OllamaModel
{
    /// <summary>Full name with tag, e.g. llama3.2:3b. Binds to -Name of the other cmdlets.</summary>
    public string Name { get; internal init; } = string.Empty;

    /// <summary>Name without the tag.</summary>
    public string Model { get; internal init; } = string.Empty;

    public string Tag { get; internal init; } = string.Empty;
    public string? Family { get; internal init; }
    public IReadOnlyList<string> Families { get; internal init; } = Array.Empty<string>();
    /// <summary>
    /// Number of parameters (3.2B is 3200000000), so Sort-Object and Where-Object compare it as a number; the format
    /// view shows it as Ollama writes it (3.2B). From model_info with -Detailed, else from the listing.
    /// </summary>
    public long? ParameterSize => ParameterCount;

    /// <summary>Number of parameters; the same number as <see cref="ParameterSize"/>.</summary>
    public long? ParameterCount { get; internal init; }

    /// <summary>Ollama's own text for the parameter count ("3.2B", "8x7B").</summary>
    internal string? ParameterSizeText { get; init; }
    public string? Quantization { get; internal init; }
    public string? Format { get; internal init; }

    /// <summary>Size on disk in bytes (shown in binary units, 1 GiB = PowerShell's 1GB).</summary>
    public long Size => SizeBytes;

    /// <summary>Size on disk in bytes; the same number as <see cref="Size"/>.</summary>
    public long SizeBytes { get; internal init; }

    public DateTimeOffset ModifiedAt { get; internal init; }
    public string Digest { get; internal init; } = string.Empty;

    /// <summary>First 12 characters of the digest, as `ollama list` shows it.</summary>
    public string Id => Digest.Length > 12 ? Digest.Substring(0, 12) : Digest;

    /// <summary>Whether /api/ps reported the model in memory when it was listed.</summary>
    public bool IsLoaded { get; internal init; }

    /// <summary>The server this model is on.</summary>
    public string Host { get; internal init; } = string.Empty;

    /// <summary>What the model can do (completion, tools, insert, vision, embedding, thinking), as /api/show reports it.</summary>
    public IReadOnlyList<string> Capabilities { get; internal init; } = Array.Empty<string>();

    /// <summary>
    /// Tasks the model suits (general, coding, analysis, creative, fast, vision, embedding, tools), most suitable first;
    /// classified from the capabilities the server reports, the same with and without -Detailed.
    /// </summary>
    /// <remarks>Classified on first use, so listings that never look at it do not pay for it.</remarks>
    public IReadOnlyList<string> TaskTypes => _taskTypes ??= TaskClassifier.TaskNames(Traits);

    private IReadOnlyList<string>? _taskTypes;

    /// <summary>What the task classifier sees of this model.</summary>
    internal ModelTraits Traits => new()
    {
        Name = Name,
        Family = Family,
        Families = Families,
        Capabilities = Capabilities,
        ParameterCount = ParameterCount,
        SizeBytes = SizeBytes,
    };

    /// <summary>Trained context window in tokens; filled by -Detailed.</summary>
    public int? ContextLength { get; internal init; }

    /// <summary>Embedding width for embedding models; filled by -Detailed.</summary>
    public int? EmbeddingLength { get; internal init; }

    /// <summary>True for a cloud model that Ollama proxies to a remote host.</summary>
    public bool IsCloud { get; internal init; }

    /// <summary>general.architecture from model_info; filled by -Detailed.</summary>
    public string? Architecture { get; internal init; }

    /// <summary>The prompt template; filled by -Detailed.</summary>
    public string? Template { get; internal init; }

    /// <summary>Modelfile PARAMETERs (stop, temperature, num_ctx…); filled by -Detailed.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; internal init; } = NoParameters;

    /// <summary>Whether capabilities and model_info were fetched (-Detailed).</summary>
    public bool HasDetails { get; internal init; }

    /// <summary>
    /// With -Detailed: the memory planned for a load at the context length asked for (-ContextLength, else the
    /// Modelfile's num_ctx, else Ollama's default), with its parts (weights, KV cache, overhead), in bytes.
    /// </summary>
    public MemoryEstimate? EstimatedMemory { get; internal set; }

    /// <summary>
    /// With -Detailed, for a server on this machine: the largest context length (tokens, a multiple of 256) whose
    /// estimate fits this machine's free memory (loaded models count as free: Ollama evicts them). Null for another
    /// machine's server, whose memory is unknown, or when not even 256 tokens fit.
    /// </summary>
    public int? MaxContextLength { get; internal set; }

    /// <summary>With -Outdated: the registry's current digest of this model (Digest is the installed one).</summary>
    public string? RemoteDigest { get; internal set; }

    /// <summary>With -Outdated: bytes an update downloads (the new manifest's layers the server does not have); null when unknown.</summary>
    public long? UpdateBytes { get; internal set; }

    public override string ToString() => Name;

    private static readonly IReadOnlyDictionary<string, string> NoParameters = new Dictionary<string, string>();

    /// <summary>The model as /api/tags listed it, with what /api/show reported when known.</summary>
    /// <param name="m">The listing entry.</param>
    /// <param name="host">The server.</param>
    /// <param name="loadedNames">Full names of the models in memory.</param>
    /// <param name="details">What /api/show reported: its capabilities and parameter count always classify the model
    /// (so TaskTypes are the same with and without -Detailed); the rest is filled only when <paramref name="detailed"/>.</param>
    /// <param name="detailed">Fill everything /api/show reported (-Detailed).</param>
    internal static OllamaModel FromWire(WireModel m, string host, ISet<string> loadedNames, ModelDetails? details = null, bool detailed = true)
    {
        string name = ModelName.Normalize(m.Name);
        (string baseName, string tag) = ModelName.SplitNormal(name);
        WireDetails d = m.Details ?? new WireDetails();
        string[] families = d.Families ?? (d.Family is null ? Array.Empty<string>() : new[] { d.Family });
        long? parameters = details?.ParameterCount ?? Units.ParseParameterSize(d.ParameterSize);
        // Ollama 0.30+ lists capabilities and context length in /api/tags; /api/show's details win when read.
        IReadOnlyList<string> capabilities = details?.Capabilities ?? ModelDetails.Normalize(m.Capabilities);
        return new OllamaModel
        {
            Name = name,
            Model = baseName,
            Tag = tag,
            Family = d.Family,
            Families = families,
            ParameterSizeText = d.ParameterSize,
            ParameterCount = parameters,
            Capabilities = capabilities,
            // What /api/tags says (Ollama 0.30+) fills the context and embedding length; /api/show's wins with -Detailed.
            ContextLength = (detailed ? details?.ContextLength : null) ?? (d.ContextLength is > 0 ? d.ContextLength : null),
            EmbeddingLength = (detailed ? details?.EmbeddingLength : null) ?? (d.EmbeddingLength is > 0 ? d.EmbeddingLength : null),
            Architecture = detailed ? details?.Architecture : null,
            Template = detailed ? details?.Template : null,
            Parameters = detailed ? details?.Parameters ?? NoParameters : NoParameters,
            HasDetails = detailed && details is not null,
            Quantization = d.QuantizationLevel,
            Format = d.Format,
            SizeBytes = m.Size,
            ModifiedAt = m.ModifiedAt,
            Digest = m.Digest,
            IsLoaded = loadedNames.Contains(name),
            Host = host,
            IsCloud = m.IsCloud,
        };
    }
}
