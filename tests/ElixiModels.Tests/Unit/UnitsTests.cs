using System;
using ElixiModels.Models;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class UnitsTests
{
    [Theory]
    [InlineData(0, "0 B")]
    [InlineData(999, "999 B")]
    [InlineData(1023, "1023 B")]
    [InlineData(1024, "1.0 KiB")]
    [InlineData(243087, "237 KiB")]
    [InlineData(274_302_450, "262 MiB")]
    [InlineData(2_019_393_189, "1.9 GiB")]
    [InlineData(4_683_087_332, "4.4 GiB")]
    [InlineData(5L * 1024 * 1024 * 1024, "5.0 GiB")]
    [InlineData(64L * 1024 * 1024 * 1024, "64 GiB")]
    [InlineData(10_700_000_000, "10 GiB")]
    public void Bytes_read_in_binary_units_as_PowerShell_counts_1GB(long bytes, string expected) => Assert.Equal(expected, Units.Bytes(bytes));

    [Theory]
    [InlineData(100, 0, "100% CPU")]
    [InlineData(100, 100, "100% GPU")]
    [InlineData(100, 52, "48%/52% CPU/GPU")]
    [InlineData(100, 200, "Unknown")]
    [InlineData(0, 0, "100% CPU")]
    public void Processor_like_ollama_ps(long size, long vram, string expected) => Assert.Equal(expected, Units.Processor(size, vram));

    [Theory]
    [InlineData("3.2B", 3_200_000_000L)]
    [InlineData("137M", 137_000_000L)]
    [InlineData("116K", 116_000L)]
    [InlineData("8x7B", 56_000_000_000L)]
    [InlineData("7B", 7_000_000_000L)]
    [InlineData("", null)]
    [InlineData("unknown", null)]
    public void ParameterSize_parses(string text, long? expected) => Assert.Equal(expected, Units.ParseParameterSize(text));

    [Theory]
    [InlineData(0.25, "250 ms")]
    [InlineData(2.4, "2.4 s")]
    [InlineData(185, "3m 05s")]
    [InlineData(3720, "1h 02m")]
    public void Durations_are_readable(double seconds, string expected) => Assert.Equal(expected, Units.Duration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Until_reads_like_ollama_ps()
    {
        var now = new DateTimeOffset(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);
        Assert.Equal("4 minutes from now", Units.Until(now.AddMinutes(4), now));
        Assert.Equal("Forever", Units.Until(new DateTimeOffset(2318, 1, 1, 0, 0, 0, TimeSpan.Zero), now));
        Assert.Equal("Stopping...", Units.Until(now.AddSeconds(-1), now));
        Assert.Equal(TimeSpan.MaxValue, Units.TimeLeft(new DateTimeOffset(2318, 1, 1, 0, 0, 0, TimeSpan.Zero), now));
        Assert.Equal(TimeSpan.FromMinutes(4), Units.TimeLeft(now.AddMinutes(4), now));
        Assert.Equal(TimeSpan.Zero, Units.TimeLeft(now.AddSeconds(-1), now));
    }
}
