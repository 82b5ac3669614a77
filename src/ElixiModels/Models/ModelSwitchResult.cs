using System;

namespace ElixiModels.Models;

/// <summary>What Switch-OllamaModel did on one server.</summary>
public sealed class ModelSwitchResult
{
    /// <summary>The session's active model on this server before the switch, if any.</summary>
    public string? PreviousModel { get; internal init; }

    /// <summary>The model that is now active (full name with tag). Binds to -Name of the other cmdlets.</summary>
    public string CurrentModel { get; internal init; } = string.Empty;

    /// <summary>Wall-clock time of the load request, as the caller waited for it.</summary>
    public TimeSpan LoadTime { get; internal init; }

    /// <summary>
    /// The load time the server reported (load_duration); null when it reported none, which is what Ollama does for
    /// the empty request that only loads a model.
    /// </summary>
    public TimeSpan? ServerLoadDuration { get; internal init; }

    /// <summary>The server.</summary>
    public string Host { get; internal init; } = string.Empty;

    /// <summary>Whether the previous model was unloaded (false with -KeepPrevious, or when there was none).</summary>
    public bool Unloaded { get; internal init; }

    /// <summary>
    /// True when the model was already the active one and loaded: nothing was loaded (only a -KeepAlive, if given,
    /// was applied).
    /// </summary>
    public bool WasAlreadyActive { get; internal init; }

    /// <summary>
    /// How long the server keeps the model loaded when idle: a duration, "Forever", "server default" (none was
    /// given), or "unchanged" (already active and loaded, none was given).
    /// </summary>
    public string KeepAlive { get; internal init; } = string.Empty;

    /// <summary>"Already active" (nothing was loaded), "Switched" (from another model) or "Activated" (none was active).</summary>
    public string Status => WasAlreadyActive ? "Already active"
        : PreviousModel is not null && !ModelName.SameModel(PreviousModel, CurrentModel) ? "Switched"
        : "Activated";

    /// <summary>The context length the server loaded the model with (/api/ps context_length), in tokens.</summary>
    public int? ContextLength { get; internal set; }

    /// <summary>The memory planned for the load at that context (weights, KV cache, overhead), in bytes.</summary>
    public MemoryEstimate? EstimatedMemory { get; internal set; }

    /// <summary>The memory the loaded model occupies, as /api/ps reports it (size), in bytes.</summary>
    public long? MemoryBytes { get; internal set; }

    /// <summary>(estimate − actual) / actual × 100: how far the plan was from what the server reports, in percent.</summary>
    public double? EstimateErrorPercent => EstimatedMemory is { } e && MemoryBytes is > 0 and var actual
        ? Math.Round((e.TotalBytes - actual) * 100.0 / actual, 1)
        : null;

    /// <summary>The model's name, so the result pipes into cmdlets that take -Name.</summary>
    public string Name => CurrentModel;

    public override string ToString() => CurrentModel;
}
