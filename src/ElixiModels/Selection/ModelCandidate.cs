using System;
using System.Collections.Generic;

namespace ElixiModels.Selection;

/// <summary>A model the selector may choose, with the facts it weighs. Filled from /api/tags, /api/show, /api/ps and benchmarks.</summary>
public sealed class ModelCandidate
{
    public string Name { get; set; } = string.Empty;
    public string Host { get; set; } = string.Empty;
    public string? Family { get; set; }
    public IReadOnlyList<string> Families { get; set; } = Array.Empty<string>();
    public string? ParameterSize { get; set; }
    public long? ParameterCount { get; set; }
    public string? Quantization { get; set; }

    /// <summary>Size on disk in bytes.</summary>
    public long SizeBytes { get; set; }

    /// <summary>Capabilities as /api/show reports them; null when they could not be read.</summary>
    public IReadOnlyList<string>? Capabilities { get; set; }

    /// <summary>Trained context window in tokens, if known.</summary>
    public int? ContextLength { get; set; }

    /// <summary>In memory right now (/api/ps).</summary>
    public bool IsLoaded { get; set; }

    /// <summary>Memory the loaded model occupies, when loaded.</summary>
    public long? LoadedBytes { get; set; }

    /// <summary>Memory planned for a load at the context asked for (Select-OllamaModel -ContextLength); replaces the size-based rule.</summary>
    public long? PlannedBytes { get; set; }

    /// <summary>A cloud model: Ollama forwards it to a remote host, so it uses no local memory.</summary>
    public bool IsCloud { get; set; }

    /// <summary>Memory the model's server can give a model (free RAM + free VRAM + what idle loaded models would free); null skips the check.</summary>
    public long? MemoryAvailableBytes { get; set; }

    /// <summary>Median generation speed measured in this session (or piped in), if any.</summary>
    public double? MeasuredTokensPerSecond { get; set; }

    /// <summary>Share of failed runs of that measurement, 0–1.</summary>
    public double? MeasuredErrorRate { get; set; }

    /// <summary>Runs of that measurement.</summary>
    public int? MeasuredRuns { get; set; }

    /// <summary>When that measurement was made, if it came from the benchmark history.</summary>
    public DateTimeOffset? MeasuredAt { get; set; }

    /// <summary>The measurement came from the benchmark history (an earlier session), not this session.</summary>
    public bool MeasuredInHistory { get; set; }

    public override string ToString() => Name;
}
