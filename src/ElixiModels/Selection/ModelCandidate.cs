using System;
using System.Collections.Generic;

namespace ElixiModels.Selection;

/// <summary>
/// A model the selector may choose, with the facts it weighs (from /api/tags, /api/show, /api/ps and benchmarks).
/// Immutable: a new measurement makes a new candidate.
/// </summary>
public sealed record ModelCandidate
{
    public string Name { get; init; } = string.Empty;
    public string Host { get; init; } = string.Empty;
    public string? Family { get; init; }
    public IReadOnlyList<string> Families { get; init; } = Array.Empty<string>();
    public string? ParameterSize { get; init; }
    public long? ParameterCount { get; init; }
    public string? Quantization { get; init; }

    /// <summary>Size on disk in bytes.</summary>
    public long SizeBytes { get; init; }

    /// <summary>Capabilities as /api/show reports them; null when they could not be read.</summary>
    public IReadOnlyList<string>? Capabilities { get; init; }

    /// <summary>Trained context window in tokens, if known.</summary>
    public int? ContextLength { get; init; }

    /// <summary>In memory right now (/api/ps).</summary>
    public bool IsLoaded { get; init; }

    /// <summary>Memory the loaded model occupies, when loaded.</summary>
    public long? LoadedBytes { get; init; }

    /// <summary>Memory planned for a load at the context asked for (Select-OllamaModel -ContextLength); replaces the size-based rule.</summary>
    public long? PlannedBytes { get; init; }

    /// <summary>A cloud model: Ollama forwards it to a remote host, so it uses no local memory.</summary>
    public bool IsCloud { get; init; }

    /// <summary>Memory the model's server can give a model (free RAM + free VRAM + what idle loaded models would free); null skips the check.</summary>
    public long? MemoryAvailableBytes { get; init; }

    /// <summary>Median generation speed measured in this session (or piped in), if any.</summary>
    public double? MeasuredTokensPerSecond { get; init; }

    /// <summary>Share of failed runs of that measurement, 0–1.</summary>
    public double? MeasuredErrorRate { get; init; }

    /// <summary>Runs of that measurement.</summary>
    public int? MeasuredRuns { get; init; }

    /// <summary>When that measurement was made, if it came from the benchmark history.</summary>
    public DateTimeOffset? MeasuredAt { get; init; }

    /// <summary>The measurement came from the benchmark history (an earlier session), not this session.</summary>
    public bool MeasuredInHistory { get; init; }

    public override string ToString() => Name;
}
