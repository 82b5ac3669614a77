using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;

namespace ElixiModels.Benchmarks;

/// <summary>Warm-up, repetitions, medians.</summary>
internal static class Measure
{
    public static Sample Time(Action action, int warmup, int reps)
    {
        for (int i = 0; i < warmup; i++)
        {
            action();
        }

        var times = new List<double>(reps);
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return new Sample(times);
    }

    public static async Task<Sample> TimeAsync(Func<Task> action, int warmup, int reps)
    {
        for (int i = 0; i < warmup; i++)
        {
            await action();
        }

        var times = new List<double>(reps);
        for (int i = 0; i < reps; i++)
        {
            long start = Stopwatch.GetTimestamp();
            await action();
            times.Add(Stopwatch.GetElapsedTime(start).TotalMilliseconds);
        }

        return new Sample(times);
    }
}

internal sealed class Sample
{
    public Sample(IReadOnlyList<double> times)
    {
        Times = times.OrderBy(t => t).ToList();
    }

    public IReadOnlyList<double> Times { get; }

    public double Median => Times.Count == 0 ? double.NaN : Times.Count % 2 == 1
        ? Times[Times.Count / 2]
        : (Times[Times.Count / 2 - 1] + Times[Times.Count / 2]) / 2;

    public double Min => Times.Count == 0 ? double.NaN : Times[0];
}

/// <summary>One line of the results table.</summary>
internal sealed record Result(
    string Item,
    string Measured,
    double Value,
    string Baseline,
    double BaselineValue,
    double Ratio,
    string Target,
    bool Met,
    string Note);
