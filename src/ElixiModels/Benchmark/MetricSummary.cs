using System;
using System.Collections.Generic;
using System.Linq;

namespace ElixiModels.Benchmark;

/// <summary>Mean, median, 95th percentile, sample standard deviation, min and max of one metric over the runs.</summary>
public sealed class MetricSummary
{
    private MetricSummary(int count, double mean, double median, double p95, double stdDev, double min, double max)
    {
        Count = count;
        Mean = mean;
        Median = median;
        P95 = p95;
        StdDev = stdDev;
        Min = min;
        Max = max;
    }

    public int Count { get; }
    public double Mean { get; }
    public double Median { get; }

    /// <summary>The 95th percentile, linearly interpolated between the closest ranks (as numpy's default).</summary>
    public double P95 { get; }

    /// <summary>Sample standard deviation (n − 1); 0 for a single value.</summary>
    public double StdDev { get; }

    public double Min { get; }
    public double Max { get; }

    /// <summary>The summary of <paramref name="values"/>, or null when there are none.</summary>
    public static MetricSummary? Of(IEnumerable<double> values)
    {
        double[] v = values.Where(x => !double.IsNaN(x) && !double.IsInfinity(x)).OrderBy(x => x).ToArray();
        if (v.Length == 0)
        {
            return null;
        }

        double mean = v.Average();
        double variance = v.Length > 1 ? v.Sum(x => (x - mean) * (x - mean)) / (v.Length - 1) : 0;
        return new MetricSummary(v.Length, mean, Percentile(v, 0.5), Percentile(v, 0.95), Math.Sqrt(variance), v[0], v[v.Length - 1]);
    }

    /// <summary>Percentile <paramref name="p"/> (0–1) of sorted values, interpolated between the closest ranks.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        if (sorted.Count == 0)
        {
            throw new ArgumentException("No values.", nameof(sorted));
        }

        double rank = p * (sorted.Count - 1);
        int low = (int)Math.Floor(rank);
        int high = Math.Min(low + 1, sorted.Count - 1);
        return sorted[low] + ((rank - low) * (sorted[high] - sorted[low]));
    }

    public override string ToString() => $"median {Median:0.##} (mean {Mean:0.##}, p95 {P95:0.##}, sd {StdDev:0.##}, {Min:0.##}–{Max:0.##})";
}
