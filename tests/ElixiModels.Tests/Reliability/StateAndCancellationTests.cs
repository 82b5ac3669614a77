using System;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using ElixiModels.Tests.Pipeline;
using Xunit;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Tests.Reliability;

/// <summary>After a fault the active model, the installed models and the benchmark history are unchanged or correctly updated.</summary>
public sealed class StateConsistencyTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public void A_failed_switch_leaves_the_active_model_unchanged()
    {
        object? before = Reliability.ActiveModel(_sim);
        _sim.State.Faults.FailNext("/api/generate", 500, "llama runner process has terminated", 10);

        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel gemma3:1b");

        Assert.Single(r.AllErrors);
        Assert.Empty(r.Output);
        Assert.Equal(before, Reliability.ActiveModel(_sim));
        Assert.DoesNotContain(_sim.State.Loaded, m => m.Name == "gemma3:1b");
    }

    [Fact]
    public void A_failed_pull_marks_nothing_installed()
    {
        _sim.State.Faults.ErrorLineAfter("/api/pull", 3, "digest mismatch, file must be downloaded again", 10);

        PsResult r = _sim.Ps.Invoke("Install-OllamaModel mistral:7b -Confirm:$false");

        Assert.Single(r.AllErrors);
        Assert.Empty(r.Output);
        Assert.Null(_sim.State.FindInstalled("mistral:7b"));
        Assert.Empty(_sim.Ps.Invoke("Get-OllamaModel mistral*").Output);
    }

    [Fact]
    public void A_failed_removal_keeps_the_model_listed()
    {
        _sim.State.Faults.FailNext("/api/delete", 500, "remove blob: permission denied", 10);

        PsResult r = _sim.Ps.Invoke("Remove-OllamaModel llama3.2:3b -Confirm:$false");

        Assert.Single(r.AllErrors);
        Assert.NotNull(_sim.State.FindInstalled("llama3.2:3b"));
        Assert.Single(_sim.Ps.Invoke("Get-OllamaModel llama3.2:3b").Output);
    }

    [Fact]
    public void A_measurement_whose_runs_all_failed_is_an_error_and_never_poses_as_a_speed()
    {
        _sim.State.Faults.FailNext("/api/generate", 500, "llama runner process has terminated", 100);

        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel gemma3:1b -Count 2 -Warmup 0 -MaxTokens 8");

        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith("OllamaServerError,", e.FullyQualifiedErrorId);
        Assert.Contains("llama runner process has terminated", e.Exception.Message);
        Assert.Equal(2, r.Warnings.Count(w => w.Contains("failed", StringComparison.Ordinal)));
        PSObject kept = Assert.IsType<PSObject>(Reliability.History(_sim, "gemma3:1b"));
        Assert.Equal(0, kept.Properties["SuccessCount"].Value);
        Assert.Equal(1.0, kept.Properties["ErrorRate"].Value);
        Assert.Null(kept.Properties["GenerateTpsMedian"].Value);
    }
}

/// <summary>Stopping (Ctrl+C) a pull, a load, a benchmark and a slow listing; and the cold load that outlasts 100 s.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class CancellationTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public void Stopping_a_pull_returns_within_a_second_leaves_nothing_installed_and_nothing_running()
    {
        _sim.State.Faults.PullBytesPerSecond = 50_000_000;
        (PsResult r, TimeSpan took) = _sim.Ps.InvokeAndStop("Install-OllamaModel mistral:7b -Confirm:$false", TimeSpan.FromSeconds(1));

        Assert.True(took < TimeSpan.FromSeconds(1), $"stop took {took}");
        Assert.Empty(r.Output);
        AssertQuietAfterStop();
        Assert.Null(_sim.State.FindInstalled("mistral:7b"));
        AssertNextCommandWorks();
    }

    [Fact]
    public void Stopping_a_slow_cold_load_returns_within_a_second_and_keeps_the_active_model()
    {
        object? before = Reliability.ActiveModel(_sim);
        _sim.State.Faults.ColdLoadExtra = TimeSpan.FromSeconds(30);
        (PsResult r, TimeSpan took) = _sim.Ps.InvokeAndStop("Switch-OllamaModel gemma3:1b", TimeSpan.FromMilliseconds(700));

        Assert.True(took < TimeSpan.FromSeconds(1), $"stop took {took}");
        Assert.Empty(r.Output);
        AssertQuietAfterStop();
        _sim.State.Faults.Reset();
        Assert.Equal(before, Reliability.ActiveModel(_sim));
        AssertNextCommandWorks();
    }

    [Fact]
    public void Stopping_a_benchmark_returns_within_a_second_and_keeps_a_partial_result_flagged_incomplete()
    {
        (PsResult r, TimeSpan took) = _sim.Ps.InvokeAndStop("Measure-OllamaModel gemma3:1b -Count 200 -Warmup 0 -MaxTokens 64", TimeSpan.FromSeconds(1.5));

        Assert.True(took < TimeSpan.FromSeconds(1), $"stop took {took}");
        Assert.Empty(r.Output);
        AssertQuietAfterStop();
        PSObject partial = Assert.IsType<PSObject>(Reliability.History(_sim, "gemma3:1b"));
        Assert.False((bool)partial.Properties["IsComplete"].Value);
        int runs = (int)partial.Properties["RunCount"].Value;
        Assert.InRange(runs, 1, 199);
        Assert.Equal(runs, ((Array)partial.Properties["Runs"].Value).Length);
        AssertNextCommandWorks();
    }

    [Fact]
    public void Stopping_a_slow_listing_returns_within_a_second_and_sends_nothing_more()
    {
        _sim.State.Faults.ResponseDelay = TimeSpan.FromSeconds(20);
        (PsResult r, TimeSpan took) = _sim.Ps.InvokeAndStop("Get-OllamaModel", TimeSpan.FromMilliseconds(400));

        Assert.True(took < TimeSpan.FromSeconds(1), $"stop took {took}");
        Assert.Empty(r.Output);
        AssertQuietAfterStop();
        AssertNextCommandWorks();
    }

    [Fact]
    public void A_cold_load_longer_than_100_seconds_succeeds_when_TimeoutSec_allows()
    {
        _sim.State.Faults.ColdLoadExtra = TimeSpan.FromSeconds(101);

        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel gemma3:1b -TimeoutSec 200");

        r.AssertNoErrors();
        PSObject result = Assert.Single(r.Output);
        Assert.Equal("gemma3:1b", result.Properties["CurrentModel"].Value);
        Assert.True((TimeSpan)result.Properties["LoadTime"].Value >= TimeSpan.FromSeconds(100), $"load took {result.Properties["LoadTime"].Value}");
        Assert.Equal("gemma3:1b", Reliability.ActiveModel(_sim));
    }

    /// <summary>Nothing the stopped command started keeps talking to the server.</summary>
    private void AssertQuietAfterStop()
    {
        Thread.Sleep(300);
        int settled = _sim.State.Log.Entries.Count;
        Thread.Sleep(1200);
        Assert.Equal(settled, _sim.State.Log.Entries.Count);
    }

    private void AssertNextCommandWorks()
    {
        _sim.State.Faults.Reset();
        PsResult next = _sim.Ps.Invoke("Get-OllamaModel");
        next.AssertNoErrors();
        Assert.Equal(_sim.State.Installed.Count, next.Output.Count);
    }
}

/// <summary>What the reliability tests read from a session.</summary>
internal static class Reliability
{
    internal static object? ActiveModel(SimulatedOllama sim) =>
        Assert.Single(sim.Ps.Invoke("Get-OllamaModelStatus").Output).Properties["ActiveModel"].Value;

    /// <summary>The session's kept benchmark result of <paramref name="model"/> (what Select-OllamaModel -Benchmark reuses), or null.</summary>
    internal static object? History(SimulatedOllama sim, string model)
    {
        PsResult r = sim.Ps.Invoke("""
            Get-OllamaBenchmark -SessionOnly -Uri $args[0] -Name $args[1] | Select-Object -First 1
            """, sim.Uri.ToString().TrimEnd('/'), model);
        r.AssertNoErrors();
        return r.Output.SingleOrDefault();
    }
}
