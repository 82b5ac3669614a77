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
    /// How long the server keeps the model loaded when idle, as given with -KeepAlive: <see cref="TimeSpan.MaxValue"/>
    /// for "Forever", null when none was given (the server's default applies, or, for a model that was already
    /// active and loaded, its keep-alive is unchanged).
    /// </summary>
    public TimeSpan? KeepAlive { get; internal init; }

    /// <summary>The keep-alive in words: a duration, "Forever", "server default" or "unchanged".</summary>
    public string KeepAliveText => KeepAlive is null && WasAlreadyActive ? "unchanged" : Units.KeepAlive(KeepAlive);

    /// <summary>
    /// Whether the server listed the model as loaded right after the switch (one /api/ps); false means it is not in
    /// memory even though the load answered (see <see cref="Note"/>); null when the check could not be made.
    /// </summary>
    public bool? IsLoaded { get; internal init; }

    /// <summary>What the switch left as it was and why (a previous model another session has active; a model not loaded after all).</summary>
    public string? Note { get; internal init; }

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
