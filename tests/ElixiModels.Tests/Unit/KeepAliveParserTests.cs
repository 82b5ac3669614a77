using System;
using ElixiModels.Ollama;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class KeepAliveParserTests
{
    [Theory]
    [InlineData("10m", 600.0)]
    [InlineData("1h", 3600.0)]
    [InlineData("30s", 30.0)]
    [InlineData("1h30m", 5400.0)]
    [InlineData("1.5h", 5400.0)]
    [InlineData("500ms", 0.5)]
    [InlineData(" 2m ", 120.0)]
    [InlineData("300", 300.0)]
    [InlineData("00:10:00", 600.0)]
    [InlineData("0", 0.0)]
    public void Durations_become_seconds(string text, double seconds)
    {
        Assert.True(KeepAliveParser.TryParse(text, out KeepAlive k, out string? problem), problem);
        Assert.False(k.IsForever);
        Assert.Equal(seconds, k.ToWireSeconds(), 3);
    }

    [Theory]
    [InlineData("Forever")]
    [InlineData("forever")]
    [InlineData("Infinite")]
    [InlineData("-1")]
    [InlineData("-1s")]
    [InlineData("-5m")]
    [InlineData("1000000h")]
    public void Forever_and_negative_mean_forever_sent_as_a_negative_number(string text)
    {
        Assert.True(KeepAliveParser.TryParse(text, out KeepAlive k, out string? problem), problem);
        Assert.True(k.IsForever);
        // Ollama rejects the string "-1" with 400; a negative number is what it takes.
        Assert.Equal(-1, k.ToWireSeconds());
    }

    [Theory]
    [InlineData(90, 90.0)]
    [InlineData(90L, 90.0)]
    [InlineData(1.5, 1.5)]
    [InlineData(-1, -1.0)]
    public void Numbers_are_seconds(object value, double wire)
    {
        Assert.True(KeepAliveParser.TryParse(value, out KeepAlive k, out _));
        Assert.Equal(wire, k.ToWireSeconds(), 3);
    }

    [Fact]
    public void TimeSpans_and_KeepAlives_pass_through()
    {
        Assert.True(KeepAliveParser.TryParse(TimeSpan.FromMinutes(3), out KeepAlive k, out _));
        Assert.Equal(180, k.ToWireSeconds());
        Assert.True(KeepAliveParser.TryParse(KeepAlive.Forever, out k, out _));
        Assert.True(k.IsForever);
    }

    [Theory]
    [InlineData("")]
    [InlineData("soon")]
    [InlineData("10 minutes")]
    [InlineData("5d")]
    [InlineData("m")]
    [InlineData("1h-5m")]
    public void Nonsense_is_refused_with_a_hint(string text)
    {
        Assert.False(KeepAliveParser.TryParse(text, out _, out string? problem));
        Assert.False(string.IsNullOrEmpty(problem));
    }

    [Fact]
    public void Other_types_are_refused()
    {
        Assert.False(KeepAliveParser.TryParse(new object(), out _, out string? problem));
        Assert.Contains("'10m'", problem);
        Assert.False(KeepAliveParser.TryParse(null, out _, out _));
    }
}
