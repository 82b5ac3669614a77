using System;
using System.Collections.Generic;
using System.Linq;
using System.Collections.Concurrent;
using System.Threading;

namespace ElixiModels.Session;

/// <summary>
/// State held for one PowerShell session (runspace): the cache and the active model per server. Thread-safe, so
/// background work of a cmdlet can read it while the pipeline thread writes.
/// </summary>
public sealed class SessionContext : IDisposable
{
    // Every session of this process, so that a switch in one never unloads a model another has active.
    private static readonly List<WeakReference<SessionContext>> Live = new();
    private static readonly ConcurrentDictionary<string, SemaphoreSlim> HostLocks = new(StringComparer.OrdinalIgnoreCase);
    private static readonly ConcurrentDictionary<string, (SessionContext By, DateTimeOffset At)> Unloads = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _activeModels = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, string> _claims = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<string, (DateTimeOffset At, TimeSpan? KeepAlive)> _activeSince = new(StringComparer.OrdinalIgnoreCase);
    private volatile bool _closed;
    /// <summary>The most benchmark results a session keeps for Get-OllamaBenchmark (oldest dropped first).</summary>
    public const int MaxSessionResults = 1000;

    private readonly ConcurrentQueue<Models.BenchmarkResult> _results = new();

    public SessionContext()
    {
        Details = new ModelDetailsCache(Cache);
        lock (Live)
        {
            Live.RemoveAll(w => !w.TryGetTarget(out SessionContext? s) || s._closed);
            Live.Add(new WeakReference<SessionContext>(this));
        }
    }

    /// <summary>
    /// Serialises, per server, "is this model held by another session?" with unloading it and with claiming a model
    /// about to be loaded, so a check cannot race a switch of another session of this process.
    /// </summary>
    public static SemaphoreSlim SwitchLock(string host) => HostLocks.GetOrAdd(host.ToLowerInvariant(), _ => new SemaphoreSlim(1, 1));

    /// <summary>Marks <paramref name="model"/> as about to become active here (hold <see cref="SwitchLock"/>); null withdraws the claim.</summary>
    public void Claim(string host, string? model)
    {
        if (model is null)
        {
            _claims.TryRemove(host, out _);
        }
        else
        {
            _claims[host] = model;
        }
    }

    /// <summary>Whether another open session of this process has <paramref name="model"/> active (or is switching to it) on <paramref name="host"/>.</summary>
    public bool IsHeldByAnotherSession(string host, string model)
    {
        foreach (SessionContext other in Others(this))
        {
            if ((other._activeModels.TryGetValue(host, out string? active) && Models.ModelName.SameModel(active, model))
                || (other._claims.TryGetValue(host, out string? claimed) && Models.ModelName.SameModel(claimed, model)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Records that this session unloaded <paramref name="model"/> on <paramref name="host"/>, for other sessions' status.</summary>
    public void RecordUnload(string host, string model) =>
        Unloads[host.ToLowerInvariant() + "|" + Models.ModelName.Normalize(model).ToLowerInvariant()] = (this, DateTimeOffset.UtcNow);

    /// <summary>
    /// Why this session's active model on <paramref name="host"/> is not in memory, as far as this process knows:
    /// unloaded by another session of this process, its keep-alive ran out, or unloaded by someone else.
    /// </summary>
    public string? WhyNotLoaded(string host)
    {
        if (GetActiveModel(host) is not { } model)
        {
            return null;
        }

        (DateTimeOffset since, TimeSpan? keepAlive) = _activeSince.TryGetValue(host, out var s) ? s : (DateTimeOffset.MinValue, null);
        if (Unloads.TryGetValue(host.ToLowerInvariant() + "|" + Models.ModelName.Normalize(model).ToLowerInvariant(), out var unload)
            && unload.At >= since)
        {
            return unload.By == this
                ? $"{model} was unloaded by this session at {unload.At:u}."
                : $"{model} was unloaded by another session of this process at {unload.At:u}.";
        }

        if (keepAlive is { } k && since != DateTimeOffset.MinValue && DateTimeOffset.UtcNow > since + k)
        {
            return $"{model} is no longer loaded: its keep-alive ({k}) ran out.";
        }

        return $"{model} is no longer loaded: someone else unloaded it (another client of the server, or a server restart), or the server evicted it for memory.";
    }

    /// <summary>The runspace closed: its active models no longer hold anything.</summary>
    public void Close()
    {
        _closed = true;
        _activeModels.Clear();
        _claims.Clear();
    }

    private static List<SessionContext> Others(SessionContext? except = null)
    {
        var result = new List<SessionContext>();
        lock (Live)
        {
            Live.RemoveAll(w => !w.TryGetTarget(out SessionContext? s) || s._closed);
            foreach (WeakReference<SessionContext> w in Live)
            {
                if (w.TryGetTarget(out SessionContext? s) && s != except)
                {
                    result.Add(s);
                }
            }
        }

        return result;
    }

    public SessionCache Cache { get; } = new();

    /// <summary>/api/show results of this session, keyed by digest, in <see cref="Cache"/>.</summary>
    public ModelDetailsCache Details { get; }

    /// <summary>The model Switch-OllamaModel last made active on <paramref name="host"/>, if any.</summary>
    public string? GetActiveModel(string host) => _activeModels.TryGetValue(host, out string? name) ? name : null;

    public void SetActiveModel(string host, string? model, TimeSpan? keepAlive = null)
    {
        if (model is null)
        {
            _activeModels.TryRemove(host, out _);
            _activeSince.TryRemove(host, out _);
        }
        else
        {
            _activeModels[host] = model;
            _activeSince[host] = (DateTimeOffset.UtcNow, keepAlive);
        }

        _claims.TryRemove(host, out _);
    }

    /// <summary>Keeps the headline numbers of a benchmark for 24 hours (the cache's default lifetime).</summary>
    public void RecordBenchmark(BenchmarkSnapshot snapshot) =>
        Cache.Set(BenchmarkKey(snapshot.Host, snapshot.Model), snapshot);

    /// <summary>The latest benchmark of <paramref name="model"/> on <paramref name="host"/> in this session, if any.</summary>
    public BenchmarkSnapshot? GetBenchmark(string host, string model) =>
        Cache.TryGet(BenchmarkKey(host, model), out BenchmarkSnapshot snapshot) ? snapshot : null;

    /// <summary>
    /// Keeps a full Measure-OllamaModel result (runs included) and its headline numbers for 24 hours. A result
    /// without a successful run is kept as 0 tokens/s with its error rate, so it never poses as a speed.
    /// </summary>
    public void RecordBenchmark(Models.BenchmarkResult result)
    {
        _results.Enqueue(result);
        while (_results.Count > MaxSessionResults && _results.TryDequeue(out _))
        {
        }

        RecordBenchmark(new BenchmarkSnapshot
        {
            Model = result.Name,
            Host = result.Host,
            GenerateTokensPerSecond = result.GenerateTpsMedian ?? 0,
            PromptTokensPerSecond = result.PromptTpsMedian ?? 0,
            TimeToFirstTokenMs = result.TtftMsMedian ?? 0,
            ErrorRate = result.ErrorRate,
            Runs = result.RunCount,
            MeasuredAt = result.MeasuredAt,
        });
    }

    /// <summary>Every benchmark result of this session (the latest <see cref="MaxSessionResults"/>), oldest first.</summary>
    public IReadOnlyList<Models.BenchmarkResult> BenchmarkResults => _results.ToArray();

    /// <summary>Forgets the session's benchmark results that <paramref name="remove"/> picks (list and cache); returns how many.</summary>
    public int RemoveBenchmarks(Func<Models.BenchmarkResult, bool> remove)
    {
        int removed = 0;
        lock (_results)
        {
            var keep = new List<Models.BenchmarkResult>();
            while (_results.TryDequeue(out Models.BenchmarkResult? r))
            {
                if (remove(r))
                {
                    removed++;
                    Cache.Remove(BenchmarkKey(r.Host, r.Name));
                }
                else
                {
                    keep.Add(r);
                }
            }

            keep.ForEach(_results.Enqueue);
        }

        return removed;
    }

    /// <summary>Remembers a server's installed model names briefly, for tab completion.</summary>
    public void SetInstalledNames(string host, string[] names) =>
        Cache.Set(NamesKey(host), names, InstalledNamesLifetime);

    /// <summary>The installed model names last seen on <paramref name="host"/>, if still fresh.</summary>
    public string[]? GetInstalledNames(string host) =>
        Cache.TryGet(NamesKey(host), out string[] names) ? names : null;

    /// <summary>How long completion trusts a listing.</summary>
    public static readonly TimeSpan InstalledNamesLifetime = TimeSpan.FromSeconds(60);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _servers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Records a server a cmdlet talked to in this session (offered by -Uri completion).</summary>
    public void RecordServer(string host) => _servers.TryAdd(host, 0);

    /// <summary>The servers cmdlets talked to in this session.</summary>
    public IReadOnlyCollection<string> Servers => _servers.Keys.ToArray();

    public void Dispose()
    {
        Close();
        Cache.Dispose();
    }

    private static string NamesKey(string host) => "installed-names:" + host.ToLowerInvariant();

    private static string BenchmarkKey(string host, string model) =>
        "benchmark:" + host.ToLowerInvariant() + "|" + Models.ModelName.Normalize(model).ToLowerInvariant();
}
