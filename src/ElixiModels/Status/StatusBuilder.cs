using System;
using System.Collections.Generic;
using System.Linq;
using ElixiModels.Models;
using ElixiModels.Resources;
using ElixiModels.Session;

namespace ElixiModels.Status;

/// <summary>Everything Get-OllamaModelStatus learned about one server, before it is turned into an <see cref="OllamaStatus"/>.</summary>
public sealed class StatusFacts
{
    public string Host { get; set; } = string.Empty;

    /// <summary>Null when the server could not be reached (then <see cref="ServerError"/> says why).</summary>
    public string? Version { get; set; }

    public string? ServerError { get; set; }

    public IReadOnlyList<OllamaRunningModel> Loaded { get; set; } = Array.Empty<OllamaRunningModel>();

    /// <summary>The model Switch-OllamaModel made active in this session, if any.</summary>
    public string? SwitchedModel { get; set; }

    /// <summary>Why the switched-to model is not in memory, as far as this process knows (asked only when it is not).</summary>
    public Func<string?> WhyNotLoaded { get; set; } = () => null;

    /// <summary>The session's latest benchmark of a model on this server.</summary>
    public Func<string, BenchmarkSnapshot?> Benchmark { get; set; } = _ => null;

    /// <summary>The active model's capabilities, when they could be read.</summary>
    public IReadOnlyList<string> Capabilities { get; set; } = Array.Empty<string>();

    public HostResources? Resources { get; set; }
    public bool IsLocalServer { get; set; }
    public CacheStatistics? Cache { get; set; }
    public DateTimeOffset ReadAt { get; set; } = DateTimeOffset.UtcNow;

    public bool Reachable => ServerError is null;
}

/// <summary>
/// The rules of Get-OllamaModelStatus. The active model is the one Switch-OllamaModel chose in this session; before
/// any switch it is the loaded model used most recently, i.e. the one whose keep-alive expires last in /api/ps.
/// Status: ServerUnreachable when the server did not answer; Active when the switched-to model is loaded; Loaded
/// when the active model was inferred from /api/ps; NotLoaded when the switched-to model is not in memory or
/// nothing is loaded.
/// </summary>
public static class StatusBuilder
{
    public const string FromSwitch = "Switch-OllamaModel";
    public const string FromRecentUse = "MostRecentlyUsed";

    /// <summary>The active model and where it came from (<see cref="FromSwitch"/> or <see cref="FromRecentUse"/>).</summary>
    public static (string? Model, string? Source) PickActive(string? switched, IReadOnlyList<OllamaRunningModel> loaded)
    {
        if (!string.IsNullOrEmpty(switched))
        {
            return (ModelName.Normalize(switched), FromSwitch);
        }

        OllamaRunningModel? recent = MostRecentlyUsed(loaded);
        return recent is null ? (null, null) : (recent.Name, FromRecentUse);
    }

    /// <summary>The loaded model whose expiry is latest: with equal keep-alive, the one used last.</summary>
    public static OllamaRunningModel? MostRecentlyUsed(IReadOnlyList<OllamaRunningModel> loaded) =>
        loaded.OrderByDescending(m => m.ExpiresAt).ThenBy(m => m.Name, StringComparer.OrdinalIgnoreCase).FirstOrDefault();

    public static ModelStatus StatusOf(bool reachable, string? source, OllamaRunningModel? runner)
    {
        if (!reachable)
        {
            return ModelStatus.ServerUnreachable;
        }

        if (runner is null)
        {
            return ModelStatus.NotLoaded;
        }

        return source == FromSwitch ? ModelStatus.Active : ModelStatus.Loaded;
    }

    public static OllamaStatus Build(StatusFacts facts)
    {
        IReadOnlyList<OllamaRunningModel> loaded = facts.Reachable ? facts.Loaded : Array.Empty<OllamaRunningModel>();
        (string? active, string? source) = PickActive(facts.SwitchedModel, loaded);
        OllamaRunningModel? runner = active is null ? null : loaded.FirstOrDefault(m => ModelName.SameModel(m.Name, active));
        return new OllamaStatus
        {
            Host = facts.Host,
            ServerVersion = facts.Reachable ? facts.Version : null,
            ServerError = facts.ServerError,
            ActiveModel = active,
            ActiveModelSource = source,
            Status = StatusOf(facts.Reachable, source, runner),
            StatusReason = facts.Reachable && source == FromSwitch && runner is null ? facts.WhyNotLoaded() : null,
            Capabilities = active is null ? Array.Empty<string>() : facts.Capabilities,
            Performance = active is null ? null : facts.Benchmark(active),
            ActiveRunner = runner,
            LoadedModels = loaded,
            LoadedMemoryBytes = loaded.Sum(m => m.SizeBytes),
            HostResources = facts.Resources,
            IsLocalServer = facts.IsLocalServer,
            Cache = facts.Cache,
            ReadAt = facts.ReadAt,
        };
    }
}
