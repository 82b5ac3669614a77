using System;
using ElixiModels.Benchmark;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class MetricSummaryTests
{
    // values | mean | median | p95 | sample sd | min | max
    [Theory]
    [InlineData(new[] { 1.0, 2, 3, 4, 5 }, 3.0, 3.0, 4.8, 1.5811388, 1.0, 5.0)]
    [InlineData(new[] { 5.0, 1, 4, 2, 3 }, 3.0, 3.0, 4.8, 1.5811388, 1.0, 5.0)]
    [InlineData(new[] { 10.0, 20 }, 15.0, 15.0, 19.5, 7.0710678, 10.0, 20.0)]
    [InlineData(new[] { 42.0 }, 42.0, 42.0, 42.0, 0.0, 42.0, 42.0)]
    [InlineData(new[] { 1.0, 1, 1, 1, 100 }, 20.8, 1.0, 80.2, 44.2741462, 1.0, 100.0)]
    [InlineData(new[] { 2.0, double.NaN, 4 }, 3.0, 3.0, 3.9, 1.4142136, 2.0, 4.0)]
    public void Summarizes_like_the_textbook(double[] values, double mean, double median, double p95, double sd, double min, double max)
    {
        MetricSummary s = MetricSummary.Of(values)!;
        Assert.Equal(mean, s.Mean, 6);
        Assert.Equal(median, s.Median, 6);
        Assert.Equal(p95, s.P95, 6);
        Assert.Equal(sd, s.StdDev, 6);
        Assert.Equal(min, s.Min);
        Assert.Equal(max, s.Max);
    }

    [Fact]
    public void No_values_means_no_summary()
    {
        Assert.Null(MetricSummary.Of(Array.Empty<double>()));
        Assert.Null(MetricSummary.Of(new[] { double.NaN, double.PositiveInfinity }));
    }
}
