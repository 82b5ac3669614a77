using System;
using Microsoft.Extensions.Caching.Memory;

namespace ElixiModels.Session;

/// <summary>The per-session cache (model details, catalog look-ups, benchmark results), with statistics.</summary>
public sealed class SessionCache : IDisposable
{
    private readonly MemoryCache _cache = new(new MemoryCacheOptions { TrackStatistics = true });

    /// <summary>How long an entry lives unless its writer says otherwise. Default 24 hours.</summary>
    public TimeSpan DefaultTimeToLive { get; set; } = TimeSpan.FromHours(24);

    public bool TryGet<T>(string key, out T value)
    {
        if (_cache.TryGetValue(key, out object? found) && found is T typed)
        {
            value = typed;
            return true;
        }

        value = default!;
        return false;
    }

    public T Set<T>(string key, T value, TimeSpan? timeToLive = null) =>
        _cache.Set(key, value, timeToLive ?? DefaultTimeToLive);

    public void Remove(string key) => _cache.Remove(key);

    /// <summary>Drops every entry; statistics keep counting.</summary>
    public void Clear() => _cache.Clear();

    /// <summary>Entries, hits, misses right now.</summary>
    public CacheStatistics GetStatistics()
    {
        MemoryCacheStatistics? s = _cache.GetCurrentStatistics();
        return new CacheStatistics(s?.CurrentEntryCount ?? _cache.Count, s?.TotalHits ?? 0, s?.TotalMisses ?? 0, DefaultTimeToLive);
    }

    public void Dispose() => _cache.Dispose();
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

    public override string ToString() => $"{Entries} entries, {Hits} hits, {Misses} misses ({HitRate:P0})";
}
