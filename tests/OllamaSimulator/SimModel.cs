using System;
using System.Collections.Generic;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace OllamaSimulator;

/// <summary>
/// One model, installed (what /api/tags lists) or in the remote library (what /api/pull can download).
/// Every property has a sensible default; only <see cref="Name"/> is required.
/// </summary>
public sealed class SimModel
{
    private readonly string _name = string.Empty;
    private string? _parameterSize;
    private string[]? _families;
    private string? _architecture;
    private string? _digest;
    private string? _layerSeed;

    /// <summary>"llama3.2:3b". A name without a tag means ":latest" (it is normalized on init).</summary>
    public required string Name
    {
        get => _name;
        init => _name = ModelName.Normalize(value) ?? value;
    }

    /// <summary>Size on disk in bytes (the sum of all layers; /api/tags "size").</summary>
    public long SizeBytes { get; set; } = 2_000_000_000;

    /// <summary>general.parameter_count.</summary>
    public long ParameterCount { get; set; } = 3_000_000_000;

    /// <summary>details.parameter_size, e.g. "3.2B"; defaults to Ollama's HumanNumber of <see cref="ParameterCount"/>.</summary>
    public string ParameterSize
    {
        get => _parameterSize ?? HumanNumber(ParameterCount);
        set => _parameterSize = value;
    }

    /// <summary>details.family, e.g. "llama".</summary>
    public string Family { get; set; } = "llama";

    /// <summary>details.families; defaults to [Family].</summary>
    public string[] Families
    {
        get => _families ?? new[] { Family };
        set => _families = value;
    }

    public string Format { get; set; } = "gguf";

    /// <summary>details.quantization_level, e.g. "Q4_K_M".</summary>
    public string Quantization { get; set; } = "Q4_K_M";

    /// <summary>/api/show "capabilities": completion, tools, insert, vision, embedding, thinking.</summary>
    public string[] Capabilities { get; set; } = { "completion" };

    /// <summary>model_info "&lt;arch&gt;.context_length" (the trained context; num_ctx is capped to it).</summary>
    public int ContextLength { get; set; } = 8192;

    /// <summary>model_info "&lt;arch&gt;.embedding_length" and the size of /api/embed vectors.</summary>
    public int EmbeddingLength { get; set; } = 2048;

    /// <summary>general.architecture; defaults to <see cref="Family"/>.</summary>
    public string Architecture
    {
        get => _architecture ?? Family;
        set => _architecture = value;
    }

    /// <summary>model_info "&lt;arch&gt;.block_count" (also drives the tensor list in /api/show).</summary>
    public int BlockCount { get; set; } = 16;

    /// <summary>How long a cold load takes (plus <see cref="FaultSettings.ColdLoadExtra"/>).</summary>
    public TimeSpan LoadTime { get; set; } = TimeSpan.FromMilliseconds(100);

    public double PromptTokensPerSecond { get; set; } = 1000;

    public double GenerateTokensPerSecond { get; set; } = 100;

    /// <summary>Share (0..1) of the size reported as size_vram when loaded.</summary>
    public double VramFraction { get; set; } = 1.0;

    /// <summary>Manifest digest (64 lowercase hex). Defaults to sha256 of the name.</summary>
    public string Digest
    {
        get => _digest ??= Sha256Hex(Name);
        set => _digest = value;
    }

    /// <summary>modified_at (manifest modification time).</summary>
    public DateTimeOffset ModifiedAt { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>How many blobs a pull downloads (one big weights layer, then small ones; the last is the config).</summary>
    public int LayerCount { get; set; } = 4;

    /// <summary>For cloud models ("remote_host" in /api/tags and /api/show); null for local models.</summary>
    public string? RemoteHost { get; set; }

    /// <summary>For cloud models: the remote model name ("remote_model"); defaults to the model part of the name.</summary>
    public string? RemoteModel { get; set; }

    /// <summary>
    /// A model whose text repeats: after this many tokens it emits its last token again and again (as small models
    /// do at temperature 0), which the server's token-repeat limit (<see cref="SimulatorState.TokenRepeatLimit"/>)
    /// aborts. Null: the text never repeats.
    /// </summary>
    public int? RepeatsAfter { get; set; }

    /// <summary>Prompt template (/api/show "template"); null picks one from the family.</summary>
    public string? Template { get; set; }

    /// <summary>System prompt (/api/show "system"), omitted when null.</summary>
    public string? System { get; set; }

    /// <summary>License text (/api/show "license"), omitted when null.</summary>
    public string? License { get; set; }

    /// <summary>Modelfile PARAMETERs (/api/show "parameters"); null picks defaults from the family.</summary>
    public IReadOnlyDictionary<string, object[]>? Parameters { get; set; }

    /// <summary>Blobs are derived from this (copies share their source's blobs). Defaults to the name.</summary>
    internal string LayerSeed
    {
        get => _layerSeed ?? Name;
        set => _layerSeed = value;
    }

    public bool HasCapability(string capability) => Array.IndexOf(Capabilities, capability) >= 0;

    public override string ToString() => Name;

    /// <summary>A copy, optionally under another name (sharing the same blobs).</summary>
    public SimModel Clone(string? newName = null)
    {
        var m = new SimModel
        {
            Name = newName ?? Name,
            SizeBytes = SizeBytes,
            ParameterCount = ParameterCount,
            Family = Family,
            Format = Format,
            Quantization = Quantization,
            Capabilities = (string[])Capabilities.Clone(),
            ContextLength = ContextLength,
            EmbeddingLength = EmbeddingLength,
            BlockCount = BlockCount,
            LoadTime = LoadTime,
            PromptTokensPerSecond = PromptTokensPerSecond,
            GenerateTokensPerSecond = GenerateTokensPerSecond,
            VramFraction = VramFraction,
            ModifiedAt = ModifiedAt,
            LayerCount = LayerCount,
            RemoteHost = RemoteHost,
            RemoteModel = RemoteModel,
            Template = Template,
            System = System,
            License = License,
            Parameters = Parameters,
            RepeatsAfter = RepeatsAfter,
        };
        m._parameterSize = _parameterSize;
        m._families = _families is null ? null : (string[])_families.Clone();
        m._architecture = _architecture;
        m._digest = Digest;
        m._layerSeed = LayerSeed;
        return m;
    }

    public static string Sha256Hex(string text) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>Ollama's format.HumanNumber.</summary>
    public static string HumanNumber(long b)
    {
        const double billion = 1_000_000_000, million = 1_000_000, thousand = 1_000;
        if (b >= billion)
        {
            double n = b / billion;
            return n == Math.Floor(n)
                ? n.ToString("F0", CultureInfo.InvariantCulture) + "B"
                : n.ToString("F1", CultureInfo.InvariantCulture) + "B";
        }

        if (b >= million)
        {
            double n = b / million;
            return n == Math.Floor(n)
                ? n.ToString("F0", CultureInfo.InvariantCulture) + "M"
                : n.ToString("F2", CultureInfo.InvariantCulture) + "M";
        }

        if (b >= thousand)
        {
            return (b / thousand).ToString("F0", CultureInfo.InvariantCulture) + "K";
        }

        return b.ToString(CultureInfo.InvariantCulture);
    }
}

/// <summary>A loaded runner as /api/ps reports it.</summary>
public sealed record LoadedModel(
    string Name,
    string Digest,
    long Size,
    long SizeVram,
    DateTimeOffset ExpiresAt,
    int ContextLength,
    DateTimeOffset LoadedAt);

/// <summary>One blob of a model's manifest.</summary>
public sealed record SimLayer(string Digest, long Size, string MediaType);
