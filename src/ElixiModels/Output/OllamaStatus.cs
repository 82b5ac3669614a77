using System;
using System.Collections.Generic;
using ElixiModels.Resources;
using ElixiModels.Session;

namespace ElixiModels.Models;

/// <summary>The state of the session's active model.</summary>
public enum ModelStatus
{
    /// <summary>Made active by Switch-OllamaModel and loaded in memory.</summary>
    Active,
    /// <summary>Loaded, but not chosen with Switch-OllamaModel: the loaded model used most recently.</summary>
    Loaded,
    /// <summary>The active model is not in memory (expired or unloaded), or nothing is loaded.</summary>
    NotLoaded,
    /// <summary>The server did not answer; only host resources are known.</summary>
    ServerUnreachable,
}

/// <summary>The state of one Ollama server, the session's active model on it, and this machine (Get-OllamaModelStatus).</summary>
public sealed class OllamaStatus
{
    /// <summary>The server, as every object's Host.</summary>
    public string Host { get; internal init; } = string.Empty;

    /// <summary>The server's version (/api/version); null when unreachable.</summary>
    public string? ServerVersion { get; internal init; }

    public bool IsReachable => Status != ModelStatus.ServerUnreachable;

    /// <summary>Why the server could not be reached.</summary>
    public string? ServerError { get; internal init; }

    /// <summary>Set by Switch-OllamaModel; before any switch, the loaded model used most recently per /api/ps.</summary>
    public string? ActiveModel { get; internal init; }

    /// <summary>"Switch-OllamaModel" or "MostRecentlyUsed"; null when there is no active model.</summary>
    public string? ActiveModelSource { get; internal init; }

    public ModelStatus Status { get; internal init; }

    /// <summary>
    /// When the model this session switched to is NotLoaded: why, as far as this process knows (unloaded by another
    /// session of this process, its keep-alive ran out, or unloaded by someone else).
    /// </summary>
    public string? StatusReason { get; internal init; }

    /// <summary>The active model's capabilities (from /api/show, cached by digest).</summary>
    public IReadOnlyList<string> Capabilities { get; internal init; } = Array.Empty<string>();

    /// <summary>The latest benchmark of the active model in this session (Measure-OllamaModel), if any.</summary>
    public BenchmarkSnapshot? Performance { get; internal init; }

    /// <summary>The active model as loaded (memory, placement, expiry), when it is in memory.</summary>
    public OllamaRunningModel? ActiveRunner { get; internal init; }

    /// <summary>Every model in the server's memory, with size, VRAM, CPU/GPU share and expiry.</summary>
    public IReadOnlyList<OllamaRunningModel> LoadedModels { get; internal init; } = Array.Empty<OllamaRunningModel>();

    /// <summary>Memory all loaded models occupy, in bytes (shown in binary units).</summary>
    public long LoadedMemory => LoadedMemoryBytes;

    /// <summary>The same number as <see cref="LoadedMemory"/>.</summary>
    public long LoadedMemoryBytes { get; internal init; }

    /// <summary>This machine's CPU, memory and GPUs; null only if they could not be read.</summary>
    public HostResources? HostResources { get; internal init; }

    /// <summary>True when the server runs on this machine, so <see cref="HostResources"/> are the server's.</summary>
    public bool IsLocalServer { get; internal init; }

    /// <summary>The session cache: entries, hits, misses, hit rate.</summary>
    public CacheStatistics? Cache { get; internal init; }

    public DateTimeOffset ReadAt { get; internal init; } = DateTimeOffset.UtcNow;

    public override string ToString() => $"{Host}: {Status}{(ActiveModel is null ? string.Empty : " " + ActiveModel)}";
}
