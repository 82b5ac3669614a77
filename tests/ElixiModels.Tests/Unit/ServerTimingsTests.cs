using ElixiModels.Benchmark;
using ElixiModels.Ollama;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class ServerTimingsTests
{
    private const long Ms = 1_000_000;

    // wall 1000 ms, tokens streamed over 800 ms unless a row says otherwise.
    [Theory]
    [InlineData(900 * Ms, 100 * Ms, 20, 780 * Ms, 12, 50 * Ms, 800.0, null)]
    [InlineData(900 * Ms, -100_000 * Ms, 20, 780 * Ms, 12, 50 * Ms, 800.0, "load_duration is negative")]
    [InlineData(-1L, 100 * Ms, 20, 780 * Ms, 12, 50 * Ms, 800.0, "total_duration is negative")]
    [InlineData(900 * Ms, 100 * Ms, 20, 0L, 12, 50 * Ms, 800.0, "eval_duration is 0")]
    [InlineData(900 * Ms, 100 * Ms, 20, 780 * Ms, 12, 0L, 800.0, "prompt_eval_duration is 0")]
    [InlineData(900 * Ms, 100 * Ms, 20, 1L, 12, 50 * Ms, 800.0, "far shorter")]
    [InlineData(5_000 * Ms, 100 * Ms, 20, 780 * Ms, 12, 50 * Ms, 800.0, "longer than the 1000 ms")]
    [InlineData(900 * Ms, 100 * Ms, -3, 780 * Ms, 12, 50 * Ms, 800.0, "negative")]
    [InlineData(900 * Ms, 100 * Ms, 20, 30 * Ms, 12, 50 * Ms, 100.0, null)] // too short a stream to judge speed
    public void Impossible_timings_are_named(long total, long load, int evalCount, long eval, int promptCount, long promptEval, double streamMs, string? problem)
    {
        var last = new GenerateChunk
        {
            Done = true, TotalDuration = total, LoadDuration = load, EvalCount = evalCount, EvalDuration = eval,
            PromptEvalCount = promptCount, PromptEvalDuration = promptEval,
        };
        string? found = ServerTimings.Problem(last, 1000, streamMs, 20);
        if (problem is null)
        {
            Assert.Null(found);
        }
        else
        {
            Assert.Contains(problem, found);
        }
    }

    [Fact]
    public void Missing_timings_are_not_impossible() =>
        Assert.Null(ServerTimings.Problem(new GenerateChunk { Done = true }, 10, null, 0));
}
