using System;
using System.Collections.Generic;
using System.Linq;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Lifecycle;

/// <summary>The stage a download is in, as the lines of /api/pull tell it.</summary>
public enum PullPhase
{
    Manifest,
    Downloading,
    Verifying,
    Writing,
    RemovingUnused,
    Done,
}

/// <summary>One blob of a download.</summary>
public sealed class LayerProgress
{
    /// <summary>1-based, in the order the server first reported the blobs.</summary>
    public int Number { get; internal init; }

    /// <summary>The first 12 hex digits of the blob's digest, as Ollama shows it.</summary>
    public string ShortDigest { get; internal init; } = string.Empty;

    public long CompletedBytes { get; internal init; }
    public long TotalBytes { get; internal init; }
    public int Percent => TotalBytes <= 0 ? 0 : (int)Math.Min(100, CompletedBytes * 100 / TotalBytes);
    public bool IsComplete => TotalBytes > 0 && CompletedBytes >= TotalBytes;
}

/// <summary>Where a download stands: bytes summed over all blobs, speed, time left and the current phase.</summary>
public sealed class PullProgressSnapshot
{
    public PullPhase Phase { get; internal init; }

    /// <summary>
    /// "Pulling manifest", "Downloading layer 2 of 5" ("layer 2 of ≥2" while the number of blobs is not known yet),
    /// "Verifying sha256 digest", "Writing manifest" …
    /// </summary>
    public string PhaseText { get; internal init; } = string.Empty;

    /// <summary>The phase with bytes and speed, for a progress bar's status line.</summary>
    public string Description { get; internal init; } = string.Empty;

    /// <summary>The blob the latest line was about (1-based; 0 before the first).</summary>
    public int LayerNumber { get; internal init; }

    /// <summary>Blobs reported so far.</summary>
    public int LayerCount { get; internal init; }

    /// <summary>How many blobs the download has, once known (from the registry manifest, or when all were listed); else null.</summary>
    public int? LayerTotal { get; internal init; }

    /// <summary>"2 of 5", or "2 of ≥2" while the number of blobs is not known: Ollama names each blob only when it starts on it.</summary>
    public string LayerOf(int number) => LayerOf(number, LayerTotal, LayerCount);

    internal static string LayerOf(int number, int? total, int count) => total is { } known ? $"{number} of {known}" : $"{number} of ≥{count}";

    public long CompletedBytes { get; internal init; }
    public long TotalBytes { get; internal init; }

    /// <summary>Completed over total, 0–100 (0 while no size is known).</summary>
    public int Percent => TotalBytes <= 0 ? 0 : (int)Math.Min(100, CompletedBytes * 100 / TotalBytes);

    /// <summary>Bytes received per second over the last few seconds (resumed bytes excluded); null until measurable.</summary>
    public double? BytesPerSecond { get; internal init; }

    /// <summary>Estimated time left at the current speed, if known.</summary>
    public TimeSpan? Remaining { get; internal init; }

    public IReadOnlyList<LayerProgress> Layers { get; internal init; } = Array.Empty<LayerProgress>();
}

/// <summary>
/// Folds the lines of a /api/pull stream into one view of the whole download: the blobs' bytes summed, the speed
/// over a sliding window, the time left and the phase. Not thread-safe: feed it from one thread.
/// </summary>
public sealed class PullProgressTracker
{
    private static readonly TimeSpan Window = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan MinSpan = TimeSpan.FromMilliseconds(250);
    private readonly Func<TimeSpan> _clock;
    private readonly List<Layer> _layers = new();
    private readonly Dictionary<string, Layer> _byDigest = new(StringComparer.OrdinalIgnoreCase);
    private readonly LinkedList<(TimeSpan At, long Bytes)> _samples = new();
    private long _received;
    private Layer? _current;
    private int? _expectedLayers;

    public PullProgressTracker(Func<TimeSpan> clock)
    {
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
    }

    public PullPhase Phase { get; private set; } = PullPhase.Manifest;

    /// <summary>
    /// The number of blobs the registry's manifest lists (config included), when the pre-flight read it; without it
    /// the total is known only once the stream moves past the downloads.
    /// </summary>
    public void ExpectLayers(int? count) => _expectedLayers = count is > 0 ? count : null;

    /// <summary>Takes one line of the stream.</summary>
    public void Apply(PullUpdate update)
    {
        if (update is null)
        {
            return;
        }

        string status = (update.Status ?? string.Empty).Trim();
        if (!string.IsNullOrEmpty(update.Digest) && update.Total is > 0)
        {
            ApplyLayer(update.Digest!, update.Total.Value, update.Completed ?? 0);
            Phase = PullPhase.Downloading;
            return;
        }

        PullPhase? phase = PhaseOf(status);
        if (phase is { } p)
        {
            Phase = p;
        }
    }

    /// <summary>The download as it stands now.</summary>
    public PullProgressSnapshot Snapshot()
    {
        long completed = _layers.Sum(l => l.Completed);
        long total = _layers.Sum(l => l.Total);
        double? rate = Rate();
        TimeSpan? remaining = rate is > 0 && total > completed
            ? TimeSpan.FromSeconds(Math.Min((total - completed) / rate.Value, TimeSpan.FromDays(30).TotalSeconds))
            : Phase > PullPhase.Downloading ? TimeSpan.Zero : null;
        int? layerTotal = Phase > PullPhase.Downloading ? _layers.Count
            : _expectedLayers is { } expected && expected >= _layers.Count ? expected
            : null;
        string phaseText = Phase switch
        {
            PullPhase.Manifest => "Pulling manifest",
            PullPhase.Downloading => $"Downloading layer {PullProgressSnapshot.LayerOf(_current?.Number ?? 0, layerTotal, _layers.Count)}",
            PullPhase.Verifying => "Verifying sha256 digest",
            PullPhase.Writing => "Writing manifest",
            PullPhase.RemovingUnused => "Removing unused layers",
            _ => "Done",
        };
        string description = phaseText;
        if (total > 0)
        {
            description += $": {Units.Bytes(completed)} of {Units.Bytes(total)}";
            if (rate is > 0 && Phase == PullPhase.Downloading)
            {
                description += $" at {Units.Bytes((long)rate.Value)}/s";
            }
        }

        return new PullProgressSnapshot
        {
            Phase = Phase,
            PhaseText = phaseText,
            Description = description,
            LayerNumber = _current?.Number ?? 0,
            LayerCount = _layers.Count,
            LayerTotal = layerTotal,
            CompletedBytes = completed,
            TotalBytes = total,
            BytesPerSecond = rate,
            Remaining = remaining,
            Layers = _layers.Select(l => new LayerProgress
            {
                Number = l.Number,
                ShortDigest = l.ShortDigest,
                CompletedBytes = l.Completed,
                TotalBytes = l.Total,
            }).ToArray(),
        };
    }

    private void ApplyLayer(string digest, long total, long completed)
    {
        completed = Math.Max(0, Math.Min(completed, total));
        if (!_byDigest.TryGetValue(digest, out Layer? layer))
        {
            // The first line of a blob says what is already on disk (a resumed or shared blob): not received now.
            layer = new Layer(digest, _layers.Count + 1, total, completed);
            _byDigest[digest] = layer;
            _layers.Add(layer);
        }
        else
        {
            layer.Total = Math.Max(layer.Total, total);
            if (completed > layer.Completed)
            {
                _received += completed - layer.Completed;
                layer.Completed = completed;
            }
        }

        _current = layer;
        Sample();
    }

    private void Sample()
    {
        TimeSpan now = _clock();
        _samples.AddLast((now, _received));
        // Keep one sample older than the window so the rate always spans the whole window.
        while (_samples.Count > 2 && now - _samples.First!.Next!.Value.At >= Window)
        {
            _samples.RemoveFirst();
        }
    }

    private double? Rate()
    {
        if (_samples.Count < 2)
        {
            return null;
        }

        (TimeSpan firstAt, long firstBytes) = _samples.First!.Value;
        (TimeSpan lastAt, long lastBytes) = _samples.Last!.Value;
        TimeSpan span = _clock() - firstAt;
        if (lastAt - firstAt < MinSpan || span <= TimeSpan.Zero)
        {
            return null;
        }

        return (lastBytes - firstBytes) / span.TotalSeconds;
    }

    private static PullPhase? PhaseOf(string status)
    {
        if (status.StartsWith("pulling manifest", StringComparison.OrdinalIgnoreCase))
        {
            return PullPhase.Manifest;
        }

        if (status.StartsWith("verifying", StringComparison.OrdinalIgnoreCase))
        {
            return PullPhase.Verifying;
        }

        if (status.StartsWith("writing", StringComparison.OrdinalIgnoreCase))
        {
            return PullPhase.Writing;
        }

        if (status.StartsWith("removing", StringComparison.OrdinalIgnoreCase))
        {
            return PullPhase.RemovingUnused;
        }

        return string.Equals(status, "success", StringComparison.OrdinalIgnoreCase) ? PullPhase.Done : null;
    }

    private sealed class Layer
    {
        public Layer(string digest, int number, long total, long completed)
        {
            ShortDigest = Units.ShortDigest(digest);
            Number = number;
            Total = total;
            Completed = completed;
        }

        public string ShortDigest { get; }
        public int Number { get; }
        public long Total { get; set; }
        public long Completed { get; set; }
    }
}
