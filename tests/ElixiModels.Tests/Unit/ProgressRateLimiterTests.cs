using System;
using System.Collections.Generic;
using ElixiModels.Lifecycle;
using Xunit;
using ElixiModels.Reporting;

namespace ElixiModels.Tests.Unit;

public class ProgressRateLimiterTests
{
    private TimeSpan _now;

    private ProgressRateLimiter Limiter(int perSecond = 10) => new(perSecond, () => _now);

    [Fact]
    public void The_first_update_is_always_shown()
    {
        ProgressRateLimiter limiter = Limiter();
        Assert.True(limiter.TryReport(0, out int shown));
        Assert.Equal(0, shown);
    }

    [Fact]
    public void Never_more_than_ten_updates_in_any_second()
    {
        ProgressRateLimiter limiter = Limiter();
        var shownAt = new List<TimeSpan>();
        // A stream line every 7 ms for 5 seconds, as a fast pull sends them.
        for (int ms = 0; ms <= 5000; ms += 7)
        {
            _now = TimeSpan.FromMilliseconds(ms);
            if (limiter.TryReport(ms / 50, out _))
            {
                shownAt.Add(_now);
            }
        }

        Assert.InRange(shownAt.Count, 45, 51);
        for (int i = 0; i < shownAt.Count; i++)
        {
            int inWindow = shownAt.FindAll(t => t >= shownAt[i] && t < shownAt[i] + TimeSpan.FromSeconds(1)).Count;
            Assert.True(inWindow <= 10, $"{inWindow} updates in the second from {shownAt[i]}");
        }
    }

    [Theory]
    [InlineData(new[] { 10, 5, 20, 19, 30 }, new[] { 10, 10, 20, 20, 30 })]
    [InlineData(new[] { -5, 150, 40 }, new[] { 0, 100, 100 })]
    [InlineData(new[] { 0, 0, 1 }, new[] { 0, 0, 1 })]
    public void Percent_never_goes_backwards_and_stays_in_range(int[] offered, int[] expected)
    {
        ProgressRateLimiter limiter = Limiter();
        var shown = new List<int>();
        foreach (int percent in offered)
        {
            Assert.True(limiter.TryReport(percent, out int s));
            shown.Add(s);
            _now += TimeSpan.FromMilliseconds(100);
        }

        Assert.Equal(expected, shown);
    }

    [Fact]
    public void Completion_waits_for_the_next_slot_and_happens_once()
    {
        ProgressRateLimiter limiter = Limiter();
        Assert.True(limiter.TryReport(40, out _));
        _now += TimeSpan.FromMilliseconds(30);
        Assert.Equal(TimeSpan.FromMilliseconds(70), limiter.DelayBeforeCompletion());
        _now += TimeSpan.FromMilliseconds(70);
        Assert.Equal(TimeSpan.Zero, limiter.DelayBeforeCompletion());
        Assert.True(limiter.Complete());
        Assert.Equal(100, limiter.Percent);
        Assert.False(limiter.Complete());
        _now += TimeSpan.FromSeconds(1);
        Assert.False(limiter.TryReport(100, out _));
        Assert.Equal(2, limiter.Reports);
    }

    [Fact]
    public void Completion_without_earlier_updates_needs_no_wait()
    {
        Assert.Equal(TimeSpan.Zero, Limiter().DelayBeforeCompletion());
    }

    [Fact]
    public void Rate_must_be_positive()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Limiter(0));
    }
}
