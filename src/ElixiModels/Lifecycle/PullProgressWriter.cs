using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Reporting;

namespace ElixiModels.Lifecycle;

/// <summary>
/// Reports a pull as one progress bar (bytes summed over all blobs, speed, time left, phase) and, optionally, a child
/// bar per blob: at most 10 updates a second, never going backwards, and a completed update at the end.
/// </summary>
public sealed class PullProgressWriter
{
    /// <summary>Blobs beyond this many get no child bar (activity ids of one pull stay below the next pull's).</summary>
    public const int MaxChildBars = 99;

    private readonly IOperationReporter _reporter;
    private readonly int _activityId;
    private readonly string _activity;
    private readonly bool _showLayers;
    private readonly PullProgressTracker _tracker;
    private readonly ProgressRateLimiter _limiter;
    private readonly Dictionary<int, int> _childShown = new();
    private readonly HashSet<int> _childDone = new();

    public PullProgressWriter(IOperationReporter reporter, int activityId, string activity, bool showLayers)
    {
        _reporter = reporter ?? throw new ArgumentNullException(nameof(reporter));
        _activityId = activityId;
        _activity = activity;
        _showLayers = showLayers;
        Stopwatch watch = Stopwatch.StartNew();
        _tracker = new PullProgressTracker(() => watch.Elapsed);
        _limiter = new ProgressRateLimiter(10, () => watch.Elapsed);
    }

    /// <summary>The number of blobs the registry's manifest lists, when known before the download (see <see cref="PullProgressTracker.ExpectLayers"/>).</summary>
    public void ExpectLayers(int? count) => _tracker.ExpectLayers(count);

    /// <summary>Takes one line of the pull stream (called on the stream's thread, one line at a time).</summary>
    public void OnUpdate(PullUpdate update)
    {
        _tracker.Apply(update);
        PullProgressSnapshot snapshot = _tracker.Snapshot();
        if (!_limiter.TryReport(snapshot.Percent, out int shown))
        {
            return;
        }

        _reporter.Progress(new OperationProgress(_activityId, _activity, snapshot.Description)
        {
            Percent = shown,
            SecondsRemaining = snapshot.Remaining is { } left ? (int)Math.Ceiling(left.TotalSeconds) : null,
            CurrentOperation = snapshot.PhaseText,
        });
        if (_showLayers)
        {
            WriteChildren(snapshot);
        }
    }

    /// <summary>Ends the bars (after waiting, if needed, so the last update keeps to the rate).</summary>
    public async Task CompleteAsync(CancellationToken ct)
    {
        if (_limiter.IsCompleted || _limiter.Reports == 0)
        {
            return;
        }

        TimeSpan wait = _limiter.DelayBeforeCompletion();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct).ConfigureAwait(false);
        }

        if (!_limiter.Complete())
        {
            return;
        }

        foreach (int number in _childShown.Keys)
        {
            if (!_childDone.Contains(number))
            {
                _reporter.Progress(Completed(_activityId + number, $"Layer {number}", _activityId));
            }
        }

        _reporter.Progress(Completed(_activityId, _activity, null));
    }

    private void WriteChildren(PullProgressSnapshot snapshot)
    {
        foreach (LayerProgress layer in snapshot.Layers)
        {
            if (layer.Number > MaxChildBars || _childDone.Contains(layer.Number))
            {
                continue;
            }

            bool seen = _childShown.TryGetValue(layer.Number, out int last);
            if (layer.IsComplete)
            {
                if (seen)
                {
                    _childDone.Add(layer.Number);
                    _reporter.Progress(Completed(_activityId + layer.Number, ChildActivity(layer, snapshot), _activityId));
                }

                continue;
            }

            int percent = Math.Max(last, layer.Percent);
            if (seen && percent == last)
            {
                continue;
            }

            _childShown[layer.Number] = percent;
            _reporter.Progress(new OperationProgress(_activityId + layer.Number, ChildActivity(layer, snapshot),
                $"{Units.Bytes(layer.CompletedBytes)} of {Units.Bytes(layer.TotalBytes)}")
            {
                ParentActivityId = _activityId,
                Percent = percent,
            });
        }
    }

    private static string ChildActivity(LayerProgress layer, PullProgressSnapshot snapshot) =>
        $"Layer {snapshot.LayerOf(layer.Number)}: {layer.ShortDigest}";

    private static OperationProgress Completed(int id, string activity, int? parent) => new(id, activity, "Done")
    {
        ParentActivityId = parent,
        Percent = 100,
        Completed = true,
    };
}
