using System;
using System.Collections.Generic;
using System.Linq;
using Microsoft.Extensions.Caching.Memory;

namespace ElixiModels.Session;

/// <summary>
/// The per-session cache (model details, registry look-ups, benchmark results), with statistics. Keys are
/// "kind:identity" (details:&lt;digest&gt;, registry:&lt;uri&gt;|&lt;model&gt;, benchmark:&lt;host&gt;|&lt;model&gt;).
/// </summary>
public sealed class SessionCache : IDisposable
{
    private readonly object _gate = new();
    private MemoryCache? _created;

    // Created on first use, so a command that caches nothing does not load Microsoft.Extensions.Caching.Memory.
    private MemoryCache Store
    {
        get
        {
            lock (_gate)
            {
                return _created ??= new MemoryCache(new MemoryCacheOptions { TrackStatistics = true });
            }
        }
    }

    /// <summary>The longest lifetime an entry may be given (longer ones would overflow the expiry date).</summary>
    public static readonly TimeSpan LongestTimeToLive = TimeSpan.FromDays(365);

    private TimeSpan _defaultTimeToLive = TimeSpan.FromHours(24);

    /// <summary>How long an entry lives unless its writer says otherwise. Default 24 hours; positive, at most a year.</summary>
    public TimeSpan DefaultTimeToLive
    {
        get => _defaultTimeToLive;
        set => _defaultTimeToLive = value > TimeSpan.Zero && value <= LongestTimeToLive
            ? value
            : throw new ArgumentOutOfRangeException(nameof(value), value, $"The time to live must be positive and at most {LongestTimeToLive.TotalDays:0} days.");
    }

    public bool TryGet<T>(string key, out T value)
    {
        if (Store.TryGetValue(key, out object? found) && found is T typed)
        {
            value = typed;
            return true;
        }

        value = default!;
        return false;
    }

    public T Set<T>(string key, T value, TimeSpan? timeToLive = null) =>
        Store.Set(key, value, timeToLive ?? DefaultTimeToLive);

    public void Remove(string key) => Store.Remove(key);

    /// <summary>Drops every entry; statistics keep counting.</summary>
    public void Clear() => Store.Clear();

    /// <summary>Drops the entries of one kind (the part of the key before ':'); returns how many.</summary>
    public int Clear(string kind)
    {
        int removed = 0;
        foreach (object key in Store.Keys.ToList())
        {
            if (string.Equals(Kind(key.ToString() ?? string.Empty), kind, StringComparison.OrdinalIgnoreCase))
            {
                Store.Remove(key);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Entries, hits, misses right now, and the entries per kind.</summary>
    public CacheStatistics GetStatistics()
    {
        MemoryCacheStatistics? s = Store.GetCurrentStatistics();
        var kinds = new SortedDictionary<string, int>(StringComparer.Ordinal);
        foreach (string kind in Store.Keys.Select(k => k.ToString() ?? string.Empty).Select(Kind))
        {
            kinds.TryGetValue(kind, out int n);
            kinds[kind] = n + 1;
        }

        return new CacheStatistics(s?.CurrentEntryCount ?? Store.Count, s?.TotalHits ?? 0, s?.TotalMisses ?? 0, DefaultTimeToLive) { Kinds = kinds };
    }

    private static string Kind(string key)
    {
        int colon = key.IndexOf(':');
        return colon > 0 ? key.Substring(0, colon) : key;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _created?.Dispose();
        }
    }
}

/// <summary>A snapshot of the session cache's counters.</summary>
public sealed class CacheStatistics
{
    public CacheStatistics(long entries, long hits, long misses, TimeSpan timeToLive)
    {
        Entries = entries;
        Hits = hits;
        Misses = misses;
        TimeToLive = timeToLive;
    }

    public long Entries { get; }
    public long Hits { get; }
    public long Misses { get; }

    /// <summary>Hits as a share of look-ups, 0–1.</summary>
    public double HitRate => Hits + Misses == 0 ? 0 : (double)Hits / (Hits + Misses);

    public TimeSpan TimeToLive { get; }

    /// <summary>Entries per kind (details, registry, benchmark, …).</summary>
    public IReadOnlyDictionary<string, int> Kinds { get; internal init; } = new Dictionary<string, int>();

    public override string ToString() => $"{Entries} entries, {Hits} hits, {Misses} misses ({HitRate:P0})";
}
