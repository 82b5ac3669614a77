using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

[CollectionDefinition("LifecycleTiming", DisableParallelization = true)]
public sealed class LifecycleTimingCollection
{
}

/// <summary>Progress rate, Ctrl+C during a pull, and the process-wide environment variables: run alone.</summary>
[Collection("LifecycleTiming")]
public sealed class LifecycleTimingTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public void Progress_is_at_most_ten_records_a_second_monotonic_and_ends_Completed()
    {
        // mistral:7b (4.37 GB) at 1.75 GB/s: about 2.5 s of download, with a stream line every 20 ms.
        _sim.State.Faults.PullBytesPerSecond = 1_750_000_000;
        var seen = new List<(TimeSpan At, ProgressRecord Record)>();
        Stopwatch clock = Stopwatch.StartNew();
        PsResult r = _sim.Ps.InvokeWhile("Install-OllamaModel mistral:7b", ps =>
            ps.Streams.Progress.DataAdded += (_, e) =>
            {
                lock (seen)
                {
                    seen.Add((clock.Elapsed, ps.Streams.Progress[e.Index]));
                }
            });
        r.AssertNoErrors();
        Assert.NotNull(_sim.State.FindInstalled("mistral:7b"));

        List<ProgressRecord> records = r.Progress.ToList();
        Assert.True(records.Count >= 10, $"only {records.Count} progress records for a 2.5 s download");
        Assert.Equal(records.Count, records.Distinct().Count()); // a new record each time
        Assert.All(records, p => Assert.Equal(records[0].ActivityId, p.ActivityId));
        for (int i = 1; i < records.Count; i++)
        {
            Assert.True(records[i].PercentComplete >= records[i - 1].PercentComplete,
                $"percent went back from {records[i - 1].PercentComplete} to {records[i].PercentComplete} at record {i}");
        }

        Assert.Equal(ProgressRecordType.Completed, records[^1].RecordType);
        Assert.Equal(100, records[^1].PercentComplete);
        Assert.Contains(records, p => p.StatusDescription.Contains("/s") && p.SecondsRemaining > 0);

        List<TimeSpan> times;
        lock (seen)
        {
            times = seen.Select(s => s.At).ToList();
        }

        Assert.True(times.Count >= records.Count - 3, $"{times.Count} timed of {records.Count}");
        foreach (TimeSpan start in times)
        {
            // Records pass through a queue to the pipeline thread, so allow a little jitter in arrival times.
            int inSecond = times.Count(t => t >= start && t < start + TimeSpan.FromMilliseconds(950));
            Assert.True(inSecond <= 10, $"{inSecond} progress records within a second from {start}");
        }
    }

    [Fact]
    public async Task Ctrl_C_stops_a_pull_within_a_second_the_session_stays_usable_and_a_rerun_resumes()
    {
        // 4.37 GB at 50 MB/s would take 87 s.
        _sim.State.Faults.PullBytesPerSecond = 50_000_000;
        (PsResult stopped, TimeSpan took) = _sim.Ps.InvokeAndStop("Install-OllamaModel mistral:7b", TimeSpan.FromSeconds(1.5));
        Assert.True(took < TimeSpan.FromSeconds(1), $"the stop took {took.TotalMilliseconds:0} ms");
        Assert.Empty(stopped.Output);
        Assert.DoesNotContain(stopped.AllErrors, e => !(e.Exception is PipelineStoppedException));

        PsResult next = _sim.Ps.Invoke("Get-OllamaModel -Name phi3");
        next.AssertNoErrors();
        Assert.Equal(new object?[] { "phi3:mini" }, next.Property("Name"));

        long partial = 0;
        for (int i = 0; i < 40 && partial == 0; i++)
        {
            partial = _sim.State.PartialBytes("mistral:7b");
            await Task.Delay(50);
        }

        Assert.InRange(partial, 10_000_000, 1_000_000_000);
        Assert.Null(_sim.State.FindInstalled("mistral:7b"));

        _sim.State.Faults.PullBytesPerSecond = 0; // the default, 2 GB/s
        PsResult rerun = _sim.Ps.Invoke("Install-OllamaModel mistral:7b");
        rerun.AssertNoErrors();
        Assert.Equal(new object?[] { "mistral:7b" }, rerun.Property("Name"));
        Assert.Equal(0, _sim.State.PartialBytes("mistral:7b"));
        // The first download record already counts what the interrupted pull left on disk.
        long size = _sim.State.FindRemote("mistral:7b")!.SizeBytes;
        ProgressRecord firstDownload = rerun.Progress.First(p => p.CurrentOperation?.StartsWith("Downloading", StringComparison.Ordinal) == true);
        Assert.True(firstDownload.PercentComplete >= (int)(partial * 100 / size) - 1,
            $"resumed at {firstDownload.PercentComplete}% with {partial} of {size} bytes on disk");
    }

    [Fact]
    public void A_stopped_switch_with_AutoPull_leaves_the_session_without_an_active_model()
    {
        _sim.State.Faults.PullBytesPerSecond = 50_000_000;
        (_, TimeSpan took) = _sim.Ps.InvokeAndStop("Switch-OllamaModel mistral:7b -AutoPull", TimeSpan.FromSeconds(1));
        Assert.True(took < TimeSpan.FromSeconds(1), $"the stop took {took.TotalMilliseconds:0} ms");
        Assert.Empty(_sim.State.Loaded);
        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel phi3:mini");
        r.AssertNoErrors();
        Assert.Null(r.Output.Single().Properties["PreviousModel"].Value);
    }

    [Fact]
    public void ELIXI_MODEL_names_the_model_when_no_name_is_given()
    {
        try
        {
            Environment.SetEnvironmentVariable("ELIXI_MODEL", "phi3:mini");
            PsResult r = _sim.Ps.Invoke("Switch-OllamaModel");
            r.AssertNoErrors();
            Assert.Equal("phi3:mini", r.Output.Single().Properties["CurrentModel"].Value);

            Environment.SetEnvironmentVariable("ELIXI_MODEL", "bad name!");
            ErrorRecord bad = Assert.Single(_sim.Ps.Invoke("Switch-OllamaModel").Errors);
            Assert.StartsWith("InvalidModelName", bad.FullyQualifiedErrorId);
            Assert.Contains("ELIXI_MODEL", bad.ErrorDetails.RecommendedAction);

            Environment.SetEnvironmentVariable("ELIXI_MODEL", null);
            ErrorRecord none = Assert.Single(_sim.Ps.Invoke("Switch-OllamaModel").AllErrors);
            Assert.StartsWith("ModelNameRequired", none.FullyQualifiedErrorId);
            Assert.Contains("ELIXI_MODEL", none.ErrorDetails.RecommendedAction);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ELIXI_MODEL", null);
        }
    }

    [Fact]
    public void ELIXI_REGISTRY_points_update_checks_at_another_registry()
    {
        _sim.State.SetRemoteDigest("llava:7b", new string('f', 64));
        try
        {
            Environment.SetEnvironmentVariable("ELIXI_REGISTRY", _sim.Uri.ToString());
            PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Outdated");
            r.AssertNoErrors();
            Assert.Equal(new object?[] { "llava:7b" }, r.Property("Name"));
        }
        finally
        {
            Environment.SetEnvironmentVariable("ELIXI_REGISTRY", null);
        }
    }
}
