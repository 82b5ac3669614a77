using System;
using Xunit;

namespace OllamaSimulator.Tests;

/// <summary>The Go-compatible pieces: float and time formatting, durations, model names.</summary>
public sealed class GoCompatTests
{
    [Theory]
    [InlineData(0.650535f, "0.650535")]
    [InlineData(-0.12647833f, "-0.12647833")]
    [InlineData(1e-5f, "0.00001")]
    [InlineData(1e-7f, "1e-7")]
    [InlineData(1e-12f, "1e-12")]
    [InlineData(10000f, "10000")]
    [InlineData(0f, "0")]
    public void Float32LikeGo(float value, string expected) => Assert.Equal(expected, GoJson.FormatFloat(value, 32));

    [Theory]
    [InlineData(0.8, "0.8")]
    [InlineData(1e21, "1e+21")]
    [InlineData(123456789012345678.0, "123456789012345680")]
    [InlineData(2.5e-8, "2.5e-8")]
    public void Float64LikeGo(double value, string expected) => Assert.Equal(expected, GoJson.FormatFloat(value, 64));

    [Fact]
    public void StringsAreHtmlEscapedLikeGo() =>
        Assert.Equal("{\"t\":\"\\u003c|eot_id|\\u003e \\u0026 \\\"q\\\"\\n\"}", GoJson.Serialize(new JObj().Add("t", "<|eot_id|> & \"q\"\n")));

    [Fact]
    public void TimesTrimTrailingZeros()
    {
        var t = new DateTimeOffset(2026, 11, 24, 13, 29, 17, TimeSpan.Zero);
        Assert.Equal("2026-11-24T13:29:17Z", GoTime.Format(t));
        Assert.Equal("2026-11-24T13:29:17.13628871Z", GoTime.Format(t.AddTicks(1_362_887), 10));
    }

    [Theory]
    [InlineData("5m", 300)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5s", 1.5)]
    [InlineData("300ms", 0.3)]
    [InlineData("0", 0)]
    [InlineData("-1m", -60)]
    public void ParsesGoDurations(string text, double seconds)
    {
        Assert.True(GoDuration.TryParse(text, out TimeSpan d, out string? error), error);
        Assert.Equal(TimeSpan.FromSeconds(seconds), d);
    }

    [Theory]
    [InlineData("-1", "time: missing unit in duration \"-1\"")]
    [InlineData("10", "time: missing unit in duration \"10\"")]
    [InlineData("5x", "time: unknown unit \"x\" in duration \"5x\"")]
    [InlineData("", "time: invalid duration \"\"")]
    public void RejectsWhatGoRejects(string text, string message)
    {
        Assert.False(GoDuration.TryParse(text, out _, out string? error));
        Assert.Equal(message, error);
    }

    [Theory]
    [InlineData("llama3.2", "llama3.2:latest")]
    [InlineData("llama3.2:3b", "llama3.2:3b")]
    [InlineData("registry.ollama.ai/library/llama3.2:3b", "llama3.2:3b")]
    [InlineData("user/model:tag", "user/model:tag")]
    [InlineData("example.com:5000/user/model", "example.com:5000/user/model:latest")]
    [InlineData("bad name", null)]
    [InlineData("a..b", null)]
    [InlineData("../x", null)]
    [InlineData("model:", null)]
    [InlineData("", null)]
    public void NormalizesModelNames(string input, string? expected) => Assert.Equal(expected, ModelName.Normalize(input));

    [Fact]
    public void ModelsDefaultSensibly()
    {
        var m = new SimModel { Name = "tiny", ParameterCount = 116_288 };
        Assert.Equal("tiny:latest", m.Name);
        Assert.Equal("116K", m.ParameterSize);
        Assert.Equal(SimModel.Sha256Hex("tiny:latest"), m.Digest);
        Assert.Equal(new[] { "llama" }, m.Families);
        Assert.Equal("llama", m.Architecture);
        Assert.Equal("999.89M", SimModel.HumanNumber(999_885_952));
        Assert.Equal("8B", SimModel.HumanNumber(8_000_000_000));
    }
}
