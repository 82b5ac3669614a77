using System;
using ElixiModels.Models;
using ElixiModels.Session;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class SessionBenchmarkTests
{
    [Fact]
    public void A_result_is_kept_whole_and_as_headline_numbers_by_host_and_model()
    {
        using var session = new SessionContext();
        var result = new BenchmarkResult
        {
            Name = "llama3.2:3b",
            Host = "http://127.0.0.1:11434",
            RunCount = 4,
            SuccessCount = 3,
            Errors = 1,
            ErrorRate = 0.25,
            GenerateTpsMedian = 118.5,
            PromptTpsMedian = 1490,
            TtftMsMedian = 26,
            MeasuredAt = DateTimeOffset.UtcNow,
            Runs = new BenchmarkRun[4],
        };
        session.RecordBenchmark(result);

        Assert.Same(result, Assert.Single(session.BenchmarkResults));
        BenchmarkSnapshot snapshot = session.GetBenchmark("http://127.0.0.1:11434", "llama3.2:3b")!;
        Assert.Equal(118.5, snapshot.GenerateTokensPerSecond);
        Assert.Equal(1490, snapshot.PromptTokensPerSecond);
        Assert.Equal(26, snapshot.TimeToFirstTokenMs);
        Assert.Equal(0.25, snapshot.ErrorRate);
        Assert.Equal(4, snapshot.Runs);
        Assert.Null(session.GetBenchmark("http://other:11434", "llama3.2:3b"));
        Assert.Null(session.GetBenchmark("http://127.0.0.1:11434", "llama3.2:1b"));
    }

    [Fact]
    public void A_result_without_a_successful_run_is_never_a_speed()
    {
        using var session = new SessionContext();
        session.RecordBenchmark(new BenchmarkResult { Name = "m:1b", Host = "h", RunCount = 3, Errors = 3, ErrorRate = 1 });
        BenchmarkSnapshot snapshot = session.GetBenchmark("h", "m:1b")!;
        Assert.Equal(0, snapshot.GenerateTokensPerSecond);
        Assert.Equal(1, snapshot.ErrorRate);
    }
}
