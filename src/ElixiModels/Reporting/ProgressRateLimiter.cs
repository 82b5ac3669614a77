using System;
using System.Diagnostics;

namespace ElixiModels.Reporting;

/// <summary>
/// Decides when a progress update may be shown: at most a given number a second, with a percentage that never goes
/// backwards, and one final (completed) update that keeps to the same rate.
/// </summary>
public sealed class ProgressRateLimiter
{
    private readonly Func<TimeSpan> _clock;
    private TimeSpan? _last;

    public ProgressRateLimiter(int maxPerSecond, Func<TimeSpan> clock)
    {
        if (maxPerSecond <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPerSecond), maxPerSecond, "At least one update a second.");
        }

        MinInterval = TimeSpan.FromTicks(TimeSpan.TicksPerSecond / maxPerSecond);
        _clock = clock ?? throw new ArgumentNullException(nameof(clock));
    }

    /// <summary>A limiter on a real clock, started now.</summary>
    public static ProgressRateLimiter StartNew(int maxPerSecond = 10)
    {
        Stopwatch watch = Stopwatch.StartNew();
        return new ProgressRateLimiter(maxPerSecond, () => watch.Elapsed);
    }

    /// <summary>The shortest time between two updates.</summary>
    public TimeSpan MinInterval { get; }

    /// <summary>The percentage of the last update shown (0–100).</summary>
    public int Percent { get; private set; }

    /// <summary>Updates shown so far, the final one included.</summary>
    public int Reports { get; private set; }

    /// <summary>Whether the final update was shown; nothing is shown after it.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>
    /// True when an update may be shown now (the first always may); <paramref name="shown"/> is
    /// <paramref name="percent"/> clamped to 0–100 and never below the last one shown.
    /// </summary>
    public bool TryReport(int percent, out int shown)
    {
        shown = Percent;
        if (IsCompleted)
        {
            return false;
        }

        TimeSpan now = _clock();
        if (_last is { } last && now - last < MinInterval)
        {
            return false;
        }

        _last = now;
        Percent = Math.Max(Percent, Math.Min(100, Math.Max(0, percent)));
        shown = Percent;
        Reports++;
        return true;
    }

    /// <summary>How long to wait so that the final update keeps to the rate (zero when it may be shown now).</summary>
    public TimeSpan DelayBeforeCompletion()
    {
        if (IsCompleted || _last is null)
        {
            return TimeSpan.Zero;
        }

        TimeSpan wait = _last.Value + MinInterval - _clock();
        return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
    }

    /// <summary>Records the final update (100 %); true only the first time.</summary>
    public bool Complete()
    {
        if (IsCompleted)
        {
            return false;
        }

        IsCompleted = true;
        _last = _clock();
        Percent = 100;
        Reports++;
        return true;
    }
}
