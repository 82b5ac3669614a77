using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace OllamaSimulator.Tests;

[CollectionDefinition("Timing", DisableParallelization = true)]
public sealed class TimingCollection
{
}

/// <summary>Generation speed, load time and prompt evaluation follow the model's configuration.</summary>
[Collection("Timing")]
public sealed class TimingTests : IAsyncLifetime
{
    private Sim _sim = null!;

    public async Task InitializeAsync()
    {
        SimulatorState state = SimulatorState.CreateDefault();
        state.AddInstalled(new SimModel
        {
            Name = "rate-test:1b",
            SizeBytes = 1_000_000_000,
            ParameterCount = 1_000_000_000,
            LoadTime = TimeSpan.FromMilliseconds(200),
            PromptTokensPerSecond = 500,
            GenerateTokensPerSecond = 80,
            ContextLength = 8192,
        });
        _sim = await Sim.StartAsync(state);
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task StreamedTokensArriveAtTheConfiguredRate()
    {
        const double rate = 80;
        const int n = 60;
        // Warm the model first so the measurement is about generation only.
        (await _sim.PostAsync("/api/generate", "{\"model\":\"rate-test:1b\"}")).EnsureSuccessStatusCode();

        var times = new List<double>();
        JsonElement final = default;
        await foreach ((JsonElement line, double at) in _sim.StreamAsync("/api/generate", $"{{\"model\":\"rate-test:1b\",\"prompt\":\"count to a hundred please\",\"options\":{{\"num_predict\":{n},\"seed\":7}}}}"))
        {
            if (line.GetProperty("done").GetBoolean())
            {
                final = line;
            }
            else
            {
                times.Add(at);
            }
        }

        Assert.Equal(n, times.Count);
        Assert.Equal(n, final.GetProperty("eval_count").GetInt32());
        Assert.Equal("length", final.GetProperty("done_reason").GetString());

        // What Ollama reports: eval_count / eval_duration.
        double reported = n / (final.GetProperty("eval_duration").GetInt64() / 1e9);
        Assert.InRange(reported, rate * 0.995, rate * 1.005);

        // What a client sees: the spacing between the first and the last token. One late wake-up of the client or the
        // server (a few ms on a busy 2-core machine) moves this over a 0.7 s span by ~1 %; pacing drift would be far more.
        double wall = (n - 1) / (times[^1] - times[0]);
        Assert.InRange(wall, rate * 0.97, rate * 1.03);

        // Durations are consistent: total >= load + prompt eval + eval.
        long total = final.GetProperty("total_duration").GetInt64();
        long parts = final.GetProperty("load_duration").GetInt64() + final.GetProperty("prompt_eval_duration").GetInt64() + final.GetProperty("eval_duration").GetInt64();
        Assert.True(total >= parts, $"total {total} < parts {parts}");
    }

    [Fact]
    public async Task NonStreamedGenerationReportsTheSameRate()
    {
        JsonElement r = await _sim.JsonAsync(System.Net.Http.HttpMethod.Post, "/api/chat",
            "{\"model\":\"rate-test:1b\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"hello\"}],\"options\":{\"num_predict\":30}}");
        double reported = r.GetProperty("eval_count").GetInt32() / (r.GetProperty("eval_duration").GetInt64() / 1e9);
        Assert.InRange(reported, 80 * 0.995, 80 * 1.005);
    }

    [Fact]
    public async Task ColdLoadTakesLoadTimeAndWarmDoesNot()
    {
        JsonElement cold = await _sim.JsonAsync(System.Net.Http.HttpMethod.Post, "/api/generate",
            "{\"model\":\"rate-test:1b\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":1}}");
        Assert.True(cold.GetProperty("load_duration").GetInt64() >= 195_000_000, cold.ToString());

        JsonElement warm = await _sim.JsonAsync(System.Net.Http.HttpMethod.Post, "/api/generate",
            "{\"model\":\"rate-test:1b\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":1}}");
        Assert.True(warm.GetProperty("load_duration").GetInt64() < 100_000_000, warm.ToString());
    }

    [Fact]
    public async Task PromptEvaluationFollowsPromptTokensPerSecond()
    {
        (await _sim.PostAsync("/api/generate", "{\"model\":\"rate-test:1b\"}")).EnsureSuccessStatusCode();
        string prompt = string.Join(' ', Enumerable.Repeat("word", 100));
        JsonElement r = await _sim.JsonAsync(System.Net.Http.HttpMethod.Post, "/api/generate",
            $"{{\"model\":\"rate-test:1b\",\"prompt\":\"{prompt}\",\"stream\":false,\"options\":{{\"num_predict\":1}}}}");
        int count = r.GetProperty("prompt_eval_count").GetInt32();
        Assert.InRange(count, 120, 140);
        double rate = count / (r.GetProperty("prompt_eval_duration").GetInt64() / 1e9);
        Assert.InRange(rate, 500 * 0.98, 500 * 1.01);
    }

    [Fact]
    public async Task ColdLoadExtraIsAddedToEveryColdLoad()
    {
        _sim.State.Faults.ColdLoadExtra = TimeSpan.FromMilliseconds(300);
        JsonElement r = await _sim.JsonAsync(System.Net.Http.HttpMethod.Post, "/api/generate",
            "{\"model\":\"rate-test:1b\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":1}}");
        Assert.True(r.GetProperty("load_duration").GetInt64() >= 495_000_000, r.ToString());
    }

    [Fact]
    public async Task RequestsToOneModelQueueUnlessNumParallelAllowsMore()
    {
        const string req = "{\"model\":\"rate-test:1b\",\"prompt\":\"x\",\"stream\":false,\"options\":{\"num_predict\":16}}"; // 0.2 s each
        (await _sim.PostAsync("/api/generate", "{\"model\":\"rate-test:1b\"}")).EnsureSuccessStatusCode();
        var sw = System.Diagnostics.Stopwatch.StartNew();
        await Task.WhenAll(_sim.JsonAsync(System.Net.Http.HttpMethod.Post, "/api/generate", req), _sim.JsonAsync(System.Net.Http.HttpMethod.Post, "/api/generate", req));
        Assert.True(sw.ElapsedMilliseconds >= 390, $"serial: {sw.ElapsedMilliseconds} ms");

        // A runner takes OLLAMA_NUM_PARALLEL when it loads.
        (await _sim.PostAsync("/api/generate", "{\"model\":\"rate-test:1b\",\"keep_alive\":0}")).EnsureSuccessStatusCode();
        // The server releases a runner just after its last answer is written: wait until the old runner is gone, or
        // the next load could reuse it with its old single slot.
        for (int i = 0; i < 100 && _sim.State.Loaded.Any(l => l.Name == "rate-test:1b"); i++)
        {
            await Task.Delay(20);
        }

        _sim.State.NumParallel = 2;
        (await _sim.PostAsync("/api/generate", "{\"model\":\"rate-test:1b\"}")).EnsureSuccessStatusCode();
        sw.Restart();
        await Task.WhenAll(_sim.JsonAsync(System.Net.Http.HttpMethod.Post, "/api/generate", req), _sim.JsonAsync(System.Net.Http.HttpMethod.Post, "/api/generate", req));
        Assert.True(sw.ElapsedMilliseconds < 380, $"parallel: {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task ClientDisconnectStopsGenerationPromptly()
    {
        using var cts = new System.Threading.CancellationTokenSource();
        int seen = 0;
        try
        {
            await foreach ((JsonElement _, double _) in _sim.StreamAsync("/api/generate", "{\"model\":\"rate-test:1b\",\"prompt\":\"go\",\"options\":{\"num_predict\":1000}}", cts.Token))
            {
                if (++seen == 3)
                {
                    cts.Cancel();
                }
            }
        }
        catch (OperationCanceledException)
        {
        }

        // The runner is released right away (a held runner would keep Active > 0 and block keep_alive 0).
        await Task.Delay(300);
        (await _sim.PostAsync("/api/generate", "{\"model\":\"rate-test:1b\",\"keep_alive\":0}")).EnsureSuccessStatusCode();
        await Task.Delay(50);
        Assert.DoesNotContain(_sim.State.Loaded, l => l.Name == "rate-test:1b");
    }
}
