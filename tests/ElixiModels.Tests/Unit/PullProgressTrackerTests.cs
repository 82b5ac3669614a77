using System;
using System.Linq;
using ElixiModels.Lifecycle;
using ElixiModels.Ollama;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class PullProgressTrackerTests
{
    private const string A = "sha256:aaaaaaaaaaaa1111111111111111111111111111111111111111111111111111";
    private const string B = "sha256:bbbbbbbbbbbb2222222222222222222222222222222222222222222222222222";
    private TimeSpan _now;

    private static PullUpdate Line(string status, string? digest = null, long? total = null, long? completed = null) =>
        new() { Status = status, Digest = digest, Total = total, Completed = completed };

    [Fact]
    public void Sums_bytes_over_all_layers_and_names_the_current_one()
    {
        var t = new PullProgressTracker(() => _now);
        t.Apply(Line("pulling manifest"));
        Assert.Equal(PullPhase.Manifest, t.Snapshot().Phase);
        Assert.Equal("Pulling manifest", t.Snapshot().PhaseText);

        t.Apply(Line("pulling aaaaaaaaaaaa", A, 1000));
        t.Apply(Line("pulling bbbbbbbbbbbb", B, 3000));
        t.Apply(Line("pulling aaaaaaaaaaaa", A, 1000, 500));
        PullProgressSnapshot s = t.Snapshot();
        Assert.Equal(PullPhase.Downloading, s.Phase);
        Assert.Equal("Downloading layer 1 of ≥2", s.PhaseText);
        Assert.Equal(500, s.CompletedBytes);
        Assert.Equal(4000, s.TotalBytes);
        Assert.Equal(12, s.Percent);
        Assert.Equal(new[] { "aaaaaaaaaaaa", "bbbbbbbbbbbb" }, s.Layers.Select(l => l.ShortDigest));
        Assert.Equal(50, s.Layers[0].Percent);
    }

    [Fact]
    public void Says_of_at_least_while_blobs_are_discovered_and_the_total_once_the_manifest_told_it()
    {
        var t = new PullProgressTracker(() => _now);
        t.Apply(Line("pulling aaaaaaaaaaaa", A, 1000, 10));
        Assert.Equal("Downloading layer 1 of ≥1", t.Snapshot().PhaseText);
        Assert.Null(t.Snapshot().LayerTotal);
        t.Apply(Line("pulling bbbbbbbbbbbb", B, 3000));
        Assert.Equal("Downloading layer 2 of ≥2", t.Snapshot().PhaseText);
        t.Apply(Line("verifying sha256 digest"));
        Assert.Equal(2, t.Snapshot().LayerTotal);

        var told = new PullProgressTracker(() => _now);
        told.ExpectLayers(3);
        told.Apply(Line("pulling aaaaaaaaaaaa", A, 1000, 10));
        Assert.Equal("Downloading layer 1 of 3", told.Snapshot().PhaseText);
        Assert.Equal("2 of 3", told.Snapshot().LayerOf(2));

        // A manifest that listed fewer blobs than the server reports was not this download's: the total is unknown again.
        var wrong = new PullProgressTracker(() => _now);
        wrong.ExpectLayers(1);
        wrong.Apply(Line("pulling aaaaaaaaaaaa", A, 1000));
        wrong.Apply(Line("pulling bbbbbbbbbbbb", B, 3000));
        Assert.Equal("Downloading layer 2 of ≥2", wrong.Snapshot().PhaseText);
    }

    [Theory]
    [InlineData("verifying sha256 digest", PullPhase.Verifying, "Verifying sha256 digest")]
    [InlineData("writing manifest", PullPhase.Writing, "Writing manifest")]
    [InlineData("removing any unused layers", PullPhase.RemovingUnused, "Removing unused layers")]
    [InlineData("removing unused layers", PullPhase.RemovingUnused, "Removing unused layers")]
    [InlineData("success", PullPhase.Done, "Done")]
    public void Reads_the_phase_from_the_status(string status, PullPhase phase, string text)
    {
        var t = new PullProgressTracker(() => _now);
        t.Apply(Line("pulling aaaaaaaaaaaa", A, 1000, 1000));
        t.Apply(Line(status));
        Assert.Equal(phase, t.Snapshot().Phase);
        Assert.Equal(text, t.Snapshot().PhaseText);
        Assert.Equal(TimeSpan.Zero, t.Snapshot().Remaining);
    }

    [Fact]
    public void Speed_and_time_left_come_from_bytes_received_not_resumed()
    {
        var t = new PullProgressTracker(() => _now);
        // 600 of 1000 bytes were on disk from an interrupted pull: they arrive in the first line and are no download.
        t.Apply(Line("pulling aaaaaaaaaaaa", A, 1000, 600));
        Assert.Null(t.Snapshot().BytesPerSecond);
        Assert.Null(t.Snapshot().Remaining);
        for (int i = 1; i <= 10; i++)
        {
            _now = TimeSpan.FromMilliseconds(100 * i);
            t.Apply(Line("pulling aaaaaaaaaaaa", A, 1000, 600 + (20 * i)));
        }

        PullProgressSnapshot s = t.Snapshot();
        Assert.Equal(200, s.BytesPerSecond!.Value, 1);
        Assert.Equal(1.0, s.Remaining!.Value.TotalSeconds, 2);
        Assert.Contains("800 B of 1000 B at 200 B/s", s.Description);
    }

    [Fact]
    public void Speed_drops_when_the_download_stalls()
    {
        var t = new PullProgressTracker(() => _now);
        t.Apply(Line("pulling aaaaaaaaaaaa", A, 10_000));
        _now = TimeSpan.FromSeconds(1);
        t.Apply(Line("pulling aaaaaaaaaaaa", A, 10_000, 1000));
        double before = t.Snapshot().BytesPerSecond!.Value;
        _now = TimeSpan.FromSeconds(3);
        Assert.True(t.Snapshot().BytesPerSecond < before);
    }

    [Fact]
    public void A_layer_already_on_disk_counts_as_complete()
    {
        var t = new PullProgressTracker(() => _now);
        t.Apply(Line("pulling aaaaaaaaaaaa", A, 1000, 1000));
        Assert.True(t.Snapshot().Layers.Single().IsComplete);
        Assert.Equal(100, t.Snapshot().Percent);
    }
}
