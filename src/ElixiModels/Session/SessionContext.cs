using System;
using System.Collections.Generic;
using System.Linq;
using System.Collections.Concurrent;

namespace ElixiModels.Session;

/// <summary>
/// State held for one PowerShell session (runspace): the cache and the active model per server. Thread-safe, so
/// background work of a cmdlet can read it while the pipeline thread writes.
/// </summary>
public sealed class SessionContext : IDisposable
{
    private readonly ConcurrentDictionary<string, string> _activeModels = new(StringComparer.OrdinalIgnoreCase);

    public SessionContext() => Details = new ModelDetailsCache(Cache);

    public SessionCache Cache { get; } = new();

    /// <summary>/api/show results of this session, keyed by digest, in <see cref="Cache"/>.</summary>
    public ModelDetailsCache Details { get; }

    /// <summary>The model Switch-OllamaModel last made active on <paramref name="host"/>, if any.</summary>
    public string? GetActiveModel(string host) => _activeModels.TryGetValue(host, out string? name) ? name : null;

    public void SetActiveModel(string host, string? model)
    {
        if (model is null)
        {
            _activeModels.TryRemove(host, out _);
        }
        else
        {
            _activeModels[host] = model;
        }
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
        Cache.Set(BenchmarkResultKey(result.Host, result.Name), result);
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

    /// <summary>The latest full benchmark result of <paramref name="model"/> on <paramref name="host"/> in this session, if any.</summary>
    public Models.BenchmarkResult? GetBenchmarkResult(string host, string model) =>
        Cache.TryGet(BenchmarkResultKey(host, model), out Models.BenchmarkResult result) ? result : null;

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

    public void Dispose() => Cache.Dispose();

    private static string NamesKey(string host) => "installed-names:" + host.ToLowerInvariant();

    private static string BenchmarkKey(string host, string model) =>
        "benchmark:" + host.ToLowerInvariant() + "|" + Models.ModelName.Normalize(model).ToLowerInvariant();

    private static string BenchmarkResultKey(string host, string model) => "benchmark-result:" + BenchmarkKey(host, model);
}
