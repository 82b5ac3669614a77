using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace OllamaSimulator.Tests;

/// <summary>/api/pull: progress, present blobs, resume after an interrupted download, updates.</summary>
public sealed class PullTests : IAsyncLifetime
{
    private Sim _sim = null!;

    public async Task InitializeAsync() => _sim = await Sim.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private static string Status(JsonElement e) => e.GetProperty("status").GetString()!;

    private static long Completed(JsonElement e) => e.TryGetProperty("completed", out JsonElement c) ? c.GetInt64() : 0;

    [Fact]
    public async Task PullReportsMonotonicProgressAndInstallsTheModel()
    {
        _sim.State.Faults.PullBytesPerSecond = 1_500_000_000; // qwen2.5:0.5b (398 MB) takes ~0.27 s
        List<JsonElement> lines = await _sim.StreamAllAsync("/api/pull", "{\"model\":\"qwen2.5:0.5b\"}");

        Assert.Equal("pulling manifest", Status(lines[0]));
        Assert.Equal(new[] { "verifying sha256 digest", "writing manifest", "success" }, lines.TakeLast(3).Select(Status));

        List<JsonElement> progress = lines.Where(l => l.TryGetProperty("digest", out _)).ToList();
        var byDigest = progress.GroupBy(l => l.GetProperty("digest").GetString()!).ToList();
        SimModel remote = _sim.State.FindRemote("qwen2.5:0.5b")!;
        Assert.Equal(remote.LayerCount, byDigest.Count);
        Assert.True(byDigest[0].Count() > 5, "the weights blob reports progress repeatedly");
        foreach (IGrouping<string, JsonElement> layer in byDigest)
        {
            long total = layer.First().GetProperty("total").GetInt64();
            long previous = -1;
            foreach (JsonElement l in layer)
            {
                Assert.Equal(string.Concat("pulling ", layer.Key.AsSpan(7, 12)), Status(l));
                Assert.Matches("^sha256:[0-9a-f]{64}$", layer.Key);
                Assert.Equal(total, l.GetProperty("total").GetInt64());
                long completed = Completed(l);
                Assert.True(completed >= previous, "completed never goes back");
                previous = completed;
            }

            Assert.Equal(total, previous);
        }

        Assert.False(progress[0].TryGetProperty("completed", out _), "the first line omits completed = 0, as Ollama");
        Assert.Equal(remote.SizeBytes, byDigest.Sum(g => g.First().GetProperty("total").GetInt64()));

        JsonElement tags = await _sim.JsonAsync(HttpMethod.Get, "/api/tags");
        JsonElement installed = tags.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "qwen2.5:0.5b");
        Assert.Equal(remote.Digest, installed.GetProperty("digest").GetString());
        Assert.Equal(remote.SizeBytes, installed.GetProperty("size").GetInt64());
        // The newest model comes first.
        Assert.Equal("qwen2.5:0.5b", tags.GetProperty("models")[0].GetProperty("name").GetString());
    }

    [Fact]
    public async Task BlobsAlreadyPresentAreReportedOnceAsComplete()
    {
        List<JsonElement> lines = await _sim.StreamAllAsync("/api/pull", "{\"model\":\"gemma3:1b\"}");
        List<JsonElement> progress = lines.Where(l => l.TryGetProperty("digest", out _)).ToList();
        Assert.Equal(5, progress.Count);
        Assert.All(progress, p => Assert.Equal(p.GetProperty("total").GetInt64(), Completed(p)));
        Assert.Equal("success", Status(lines[^1]));
    }

    [Fact]
    public async Task InterruptedPullResumesWhereItStopped()
    {
        _sim.State.Faults.PullBytesPerSecond = 400_000_000; // tinyllama (638 MB) would take ~1.6 s
        long seen = 0;
        using (var cts = new CancellationTokenSource())
        {
            try
            {
                await foreach ((JsonElement line, double _) in _sim.StreamAsync("/api/pull", "{\"model\":\"tinyllama\"}", cts.Token))
                {
                    seen = Math.Max(seen, Completed(line));
                    if (seen > 100_000_000)
                    {
                        cts.Cancel();
                    }
                }
            }
            catch (OperationCanceledException)
            {
            }
        }

        Assert.True(seen > 100_000_000);
        // The server notices the disconnect and keeps what it had.
        long kept = 0;
        for (int i = 0; i < 50 && kept < seen; i++)
        {
            await Task.Delay(20);
            kept = _sim.State.PartialBytes("tinyllama:latest");
        }

        Assert.True(kept >= seen, $"kept {kept} < seen {seen}");
        await Task.Delay(150);
        long after = _sim.State.PartialBytes("tinyllama:latest");
        Assert.True(after < 638_000_000 && after - kept < 100_000_000, "the download stopped when the client went away");
        Assert.Null(_sim.State.FindInstalled("tinyllama"));

        _sim.State.Faults.PullBytesPerSecond = 4_000_000_000;
        List<JsonElement> lines = await _sim.StreamAllAsync("/api/pull", "{\"name\":\"tinyllama:latest\"}");
        JsonElement firstWeights = lines.First(l => l.TryGetProperty("digest", out _));
        Assert.True(Completed(firstWeights) >= kept, "the second pull starts from the partial blob");
        Assert.Equal("success", Status(lines[^1]));
        Assert.NotNull(_sim.State.FindInstalled("tinyllama"));
        Assert.Equal(0, _sim.State.PartialBytes("tinyllama"));
    }

    [Fact]
    public async Task UpdatedLibraryModelDownloadsOnlyChangedBlobs()
    {
        string newDigest = new string('2', 64);
        _sim.State.SetRemoteDigest("phi3:mini", newDigest);
        List<JsonElement> lines = await _sim.StreamAllAsync("/api/pull", "{\"model\":\"phi3:mini\"}");
        var byDigest = lines.Where(l => l.TryGetProperty("digest", out _)).GroupBy(l => l.GetProperty("digest").GetString()).ToList();
        Assert.Single(byDigest[0]); // the weights did not change
        Assert.Equal(byDigest[0].First().GetProperty("total").GetInt64(), Completed(byDigest[0].First()));
        Assert.All(byDigest.Skip(1), g => Assert.False(g.First().TryGetProperty("completed", out _)));
        Assert.Contains(lines, l => Status(l) == "removing unused layers");
        Assert.Equal(newDigest, _sim.State.FindInstalled("phi3:mini")!.Digest);
    }

    [Fact]
    public async Task NonStreamedPullWaitsForSuccess()
    {
        using HttpResponseMessage r = await _sim.PostAsync("/api/pull", "{\"model\":\"smollm2:135m\",\"stream\":false}");
        Assert.Equal(200, (int)r.StatusCode);
        Assert.Equal("application/json", r.Content.Headers.ContentType?.ToString());
        Assert.Equal("{\"status\":\"success\"}", await r.Content.ReadAsStringAsync());
        Assert.NotNull(_sim.State.FindInstalled("smollm2:135m"));
    }

    [Fact]
    public async Task UnknownModelFailsInsideTheStream()
    {
        List<JsonElement> lines = await _sim.StreamAllAsync("/api/pull", "{\"model\":\"nosuchmodel:7b\"}");
        Assert.Equal(2, lines.Count);
        Assert.Equal("pulling manifest", Status(lines[0]));
        Assert.Equal("pull model manifest: file does not exist", lines[1].GetProperty("error").GetString());
    }
}
