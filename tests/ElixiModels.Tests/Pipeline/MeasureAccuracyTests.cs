using System;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;
using static ElixiModels.Tests.Pipeline.MeasureOllamaModelTests;

namespace ElixiModels.Tests.Pipeline;

[CollectionDefinition("BenchmarkTiming", DisableParallelization = true)]
public sealed class BenchmarkTimingCollection
{
}

/// <summary>Measure-OllamaModel against the simulator's known rates: the numbers must be what the server really did.</summary>
[Collection("BenchmarkTiming")]
public sealed class MeasureAccuracyTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public async Task InitializeAsync()
    {
        await _sim.InitializeAsync();
        _sim.State.AddInstalled(new SimModel
        {
            Name = "rate-check:2b",
            ParameterCount = 2_000_000_000,
            SizeBytes = 1_200_000_000,
            LoadTime = TimeSpan.FromMilliseconds(120),
            PromptTokensPerSecond = 2000,
            GenerateTokensPerSecond = 250,
            Capabilities = new[] { "completion" },
        });
    }

    public Task DisposeAsync() => _sim.DisposeAsync();

    // About 200 prompt tokens, so that prefill takes long enough (100+ ms) to time precisely.
    private static readonly string LongPrompt = string.Join(" ", Enumerable.Repeat(
        "Describe the water cycle in detail, covering evaporation, condensation, precipitation and collection, with examples.", 10));

    // model | tokens per run
    [Theory]
    [InlineData("llama3.2:3b", 60)]
    [InlineData("rate-check:2b", 100)]
    public void Speeds_and_time_to_first_token_match_the_servers_known_rates(string model, int tokens)
    {
        SimModel sim = _sim.State.Installed.Single(m => m.Name == model);
        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel $args[0] -Count 5 -MaxTokens $args[1] -Prompt $args[2]", model, tokens, LongPrompt);
        r.AssertNoErrors();
        PSObject m = Assert.Single(r.Output);

        Assert.InRange(P<double>(m, "GenerateTpsMedian"), sim.GenerateTokensPerSecond * 0.99, sim.GenerateTokensPerSecond * 1.01);
        Assert.InRange(P<double>(m, "PromptTpsMedian"), sim.PromptTokensPerSecond * 0.95, sim.PromptTokensPerSecond * 1.05);

        // The first token leaves the server once the prompt is evaluated, one token's time later.
        double[] expected = Runs(m)
            .Select(run => (P<int>(run, "PromptTokens") / sim.PromptTokensPerSecond + 1 / sim.GenerateTokensPerSecond) * 1000)
            .OrderBy(x => x).ToArray();
        Assert.InRange(P<double>(m, "TtftMsMedian"), expected[2] - 5, expected[2] + 5);

        Assert.All(Runs(m), run =>
        {
            Assert.Equal(tokens, P<int>(run, "GenerateTokens"));
            Assert.InRange(P<int>(run, "PromptTokens"), 150, 250);
            Assert.Equal(P<int>(run, "GenerateTokens") / P<double>(run, "GenerateMs") * 1000, P<double>(run, "GenerateTokensPerSecond"), 6);
            Assert.Equal(P<int>(run, "PromptTokens") / P<double>(run, "PromptMs") * 1000, P<double>(run, "PromptTokensPerSecond"), 6);
            Assert.InRange(P<double>(run, "LoadMs"), 0, 5);
        });

        // The cold load happened in the warm-up, and is what LoadMs reports.
        PSObject warmup = Assert.Single(Warmups(m));
        Assert.Equal(P<double>(warmup, "LoadMs"), P<double>(m, "LoadMs"));
        Assert.True(P<double>(m, "LoadMs") >= sim.LoadTime.TotalMilliseconds - 5, $"LoadMs {P<double>(m, "LoadMs")}");
    }

    [Fact]
    public void The_measurement_adds_almost_nothing_to_the_work_it_times()
    {
        // Once the module's code is warm (the first call of a session compiles it), as in any real session.
        _sim.Ps.Invoke("Measure-OllamaModel gemma3:1b -Count 1 -MaxTokens 2").AssertNoErrors();
        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel llama3.2:3b -Count 5 -MaxTokens 60");
        r.AssertNoErrors();
        PSObject m = r.Output[0];
        PSObject[] requests = Warmups(m).Concat(Runs(m)).ToArray();

        // Per request: the client's wall time is the server's total plus at most 2 %.
        Assert.All(requests, run => Assert.InRange(P<double>(run, "TotalMs") - P<double>(run, "ServerTotalMs"), -1, 0.02 * P<double>(run, "ServerTotalMs")));

        // Whole measurement: at most 2 % over the time the server spent loading, evaluating prompts and generating.
        double served = requests.Sum(run => P<double>(run, "ServerTotalMs"));
        double wall = ((TimeSpan)m.Properties["Duration"].Value).TotalMilliseconds;
        Assert.True(wall <= served * 1.02, $"the measurement took {wall:0} ms for {served:0} ms of server work");
    }

    [Fact]
    public void Stopping_keeps_finished_models_in_the_output_and_the_partial_one_in_the_session()
    {
        var stopTook = TimeSpan.Zero;
        PsResult r = _sim.Ps.InvokeWhile("Measure-OllamaModel gemma3:1b, phi3:mini -Count 4 -MaxTokens 20", ps =>
        {
            WaitFor(ps, p => p.Activity == "Measuring phi3:mini" && p.StatusDescription.StartsWith("Run 3 of 4 ", StringComparison.Ordinal));
            var sw = Stopwatch.StartNew();
            ps.Stop();
            stopTook = sw.Elapsed;
        });

        Assert.True(stopTook < TimeSpan.FromSeconds(1), $"the stop took {stopTook}");
        PSObject gemma = Assert.Single(r.Output);
        Assert.Equal("gemma3:1b", gemma.Properties["Name"].Value);
        Assert.True(P<bool>(gemma, "IsComplete"));
        Assert.Equal(4, P<int>(gemma, "RunCount"));
        string notice = Assert.Single(_sim.Ps.Host.Lines, l => l.Contains("Stopped: phi3:mini"));
        Assert.Contains("ran 2 of 4 runs", notice);
        Match median = Regex.Match(notice, @"median ([0-9.]+) tokens/s");
        Assert.True(median.Success, notice);

        // What was measured of phi3:mini before the stop is what Select-OllamaModel now knows about its speed.
        PsResult s = _sim.Ps.Invoke("Select-OllamaModel -Task Fast -All -MemoryLimit 64GB");
        s.AssertNoErrors();
        PSObject phi3 = s.Output.Single(o => (string)o.Properties["Name"].Value == "phi3:mini");
        Assert.True(P<bool>(phi3, "SpeedMeasured"));
        Assert.Equal(double.Parse(median.Groups[1].Value, CultureInfo.InvariantCulture), Math.Round(P<double>(phi3, "TokensPerSecond"), 1));

        // Nothing is left running after the stop: the server sees no request for phi3 after the pipeline ended.
        int requests = _sim.State.Log.Entries.Count(e => e.Path == "/api/generate");
        Thread.Sleep(300);
        Assert.Equal(requests, _sim.State.Log.Entries.Count(e => e.Path == "/api/generate"));
    }

    private static PSObject[] Warmups(PSObject result) => Runs(result, "WarmupRuns");

    private static void WaitFor(PowerShell ps, Func<ProgressRecord, bool> condition)
    {
        var deadline = Stopwatch.StartNew();
        while (!ps.Streams.Progress.ToArray().Any(condition))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                throw new TimeoutException("The expected progress never came.");
            }

            Thread.Sleep(5);
        }
    }
}
