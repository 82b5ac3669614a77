using System;

namespace ElixiModels.Models;

/// <summary>A model Stop-OllamaModel unloaded (with -PassThru): confirmed gone from /api/ps.</summary>
public sealed class ModelStopResult
{
    /// <summary>Full model name; binds to -Name of the other cmdlets.</summary>
    public string Name { get; internal init; } = string.Empty;

    /// <summary>The server.</summary>
    public string Host { get; internal init; } = string.Empty;

    /// <summary>Whether it was the session's active model on this server (the session no longer has one there).</summary>
    public bool WasActive { get; internal init; }

    /// <summary>Memory the model occupied before it was unloaded (/api/ps size), in bytes.</summary>
    public long FreedBytes { get; internal init; }

    /// <summary>Part of <see cref="FreedBytes"/> that was GPU memory.</summary>
    public long FreedVramBytes { get; internal init; }

    /// <summary>From the unload request until /api/ps stopped listing the model.</summary>
    public TimeSpan StopTime { get; internal init; }

    public override string ToString() => Name;
}
