using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace OllamaSimulator.Tests;

/// <summary>
/// The simulator in its default mode (Ollama 0.32.15) against the real 0.32.15 captures (captures-0.32): same status,
/// Content-Type and JSON shape as <see cref="ContractTests"/> checks for 0.23.0, plus the answers 0.32 ends without a
/// done line (token-repeat abort, output that is not valid UTF-8) line for line.
/// </summary>
public sealed class ContractTests032 : IAsyncLifetime
{
    private Sim _sim = null!;

    public async Task InitializeAsync()
    {
        _sim = await Sim.StartAsync();
        _sim.State.Version = SimulatorState.CurrentVersion;
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private sealed record Case(string Method, string Path, string? Body, Func<Sim, Task>? Setup = null, string[]? AllowedExtra = null);

    private const string Gen = "/api/generate";
    private const string Chat = "/api/chat";
    private const string Story = "{\"model\":\"gemma3:1b\",\"prompt\":\"Tell me a story.\",\"options\":{\"temperature\":0,\"num_predict\":24}}";

    private static async Task Load(Sim sim) =>
        (await sim.PostAsync(Gen, "{\"model\":\"gemma3:1b\"}")).EnsureSuccessStatusCode();

    private static Func<Sim, Task> BadUtf8(string path, int tokens) => sim =>
    {
        sim.State.Faults.InvalidUtf8After(path, tokens);
        return Task.CompletedTask;
    };

    /// <summary>Captures the simulator does not reproduce, and why.</summary>
    private static readonly Dictionary<string, string> NotModelled = new()
    {
        ["model_recommendations"] = "GET /api/experimental/model-recommendations: an experimental cloud list the module never reads",
        ["openai_badutf8"] = "the OpenAI-compatible endpoint's bad-UTF-8 answer: the module never calls /v1",
    };

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["version"] = new("GET", "/api/version", null),
        ["status"] = new("GET", "/api/status", null),
        ["tags"] = new("GET", "/api/tags", null),
        ["tags_head"] = new("HEAD", "/api/tags", null),
        ["show"] = new("POST", "/api/show", "{\"model\":\"llama3.2:3b\"}"),
        ["show_missing"] = new("POST", "/api/show", "{\"model\":\"nosuchmodel\"}"),
        ["ps_loaded"] = new("GET", "/api/ps", null, Load),
        ["ps_after_unload"] = new("GET", "/api/ps", null, async sim =>
        {
            await Load(sim);
            (await sim.PostAsync(Gen, "{\"model\":\"gemma3:1b\",\"keep_alive\":0}")).EnsureSuccessStatusCode();
        }),
        ["gen_stream"] = new("POST", Gen, Story),
        ["gen_nostream"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"Tell me a story.\",\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":8}}"),
        ["gen_stopseq"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"Why is the sky blue?\",\"stream\":false,\"options\":{\"num_predict\":24,\"stop\":[\" \"]}}"),
        ["gen_numctx"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"Tell me a story.\",\"stream\":false,\"options\":{\"num_ctx\":1024,\"num_predict\":2}}"),
        ["ps_numctx"] = new("GET", "/api/ps", null, async sim =>
            (await sim.PostAsync(Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_ctx\":1024,\"num_predict\":2}}")).EnsureSuccessStatusCode()),
        ["gen_badutf8_stream"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"hi\",\"options\":{\"temperature\":0}}", BadUtf8(Gen, 0)),
        ["gen_badutf8_nostream"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"temperature\":0}}", BadUtf8(Gen, 0)),
        ["gen_badutf8_partial_stream"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"Why is the sky blue?\",\"options\":{\"seed\":1}}", BadUtf8(Gen, 3)),
        ["gen_badutf8_partial_nostream"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"Why is the sky blue?\",\"stream\":false,\"options\":{\"seed\":1}}", BadUtf8(Gen, 3)),
        ["gen_repeat_abort"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"Tell me a story.\",\"options\":{\"temperature\":0,\"num_predict\":300}}", sim =>
        {
            sim.State.FindInstalled("gemma3:1b")!.RepeatsAfter = 3;
            return Task.CompletedTask;
        }),
        ["gen_missing_model"] = new("POST", Gen, "{\"model\":\"nosuchmodel\",\"prompt\":\"hi\"}"),
        ["gen_no_model"] = new("POST", Gen, "{\"prompt\":\"hi\"}"),
        ["unload"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"keep_alive\":0}", Load),
        ["chat_stream"] = new("POST", Chat, "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],\"options\":{\"temperature\":0,\"num_predict\":6}}"),
        ["chat_nostream"] = new("POST", Chat, "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story.\"}],\"stream\":false,\"options\":{\"temperature\":0,\"num_predict\":6}}"),
        ["chat_badutf8_stream"] = new("POST", Chat, "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"options\":{\"temperature\":0}}", BadUtf8(Chat, 0)),
        ["chat_badutf8_nostream"] = new("POST", Chat, "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":false,\"options\":{\"temperature\":0}}", BadUtf8(Chat, 0)),
        ["chat_missing_model"] = new("POST", Chat, "{\"model\":\"nosuchmodel\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        ["embed"] = new("POST", "/api/embed", "{\"model\":\"gemma3:1b\",\"input\":\"Why is the sky blue?\"}"),
        ["copy"] = new("POST", "/api/copy", "{\"source\":\"gemma3:1b\",\"destination\":\"gemma3-copy\"}"),
        ["delete_copy"] = new("DELETE", "/api/delete", "{\"model\":\"gemma3-copy\"}", async sim =>
            (await sim.PostAsync("/api/copy", "{\"source\":\"gemma3:1b\",\"destination\":\"gemma3-copy\"}")).EnsureSuccessStatusCode()),
        ["delete_missing"] = new("DELETE", "/api/delete", "{\"model\":\"nosuchmodel\"}"),
        ["pull_stream"] = new("POST", "/api/pull", "{\"model\":\"llama3.2\"}"),
        ["pull_nostream"] = new("POST", "/api/pull", "{\"model\":\"llama3.2\",\"stream\":false}"),
        ["unknown_route"] = new("GET", "/api/nosuchroute", null),
        ["openai_chat"] = new("POST", "/v1/chat/completions", "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":5}"),
        ["openai_missing"] = new("POST", "/v1/chat/completions", "{\"model\":\"nosuchmodel\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        ["openai_models"] = new("GET", "/v1/models", null),
    };

    public static IEnumerable<object[]> CaptureNames() => Cases.Keys.Select(k => new object[] { k });

    [Fact]
    public void EveryCaptureHasAContractCaseOrAReason()
    {
        string[] captured = System.IO.Directory.GetFiles(Capture.Directory032, "*.headers")
            .Select(f => System.IO.Path.GetFileNameWithoutExtension(f))
            .ToArray();
        Assert.NotEmpty(captured);
        Assert.Empty(captured.Except(Cases.Keys).Except(NotModelled.Keys));
    }

    [Theory]
    [MemberData(nameof(CaptureNames))]
    public async Task MatchesCapture(string name)
    {
        Capture cap = Capture.Load(name, Capture.Directory032);
        Case c = Cases[name];
        if (c.Setup is not null)
        {
            await c.Setup(_sim);
        }

        using HttpResponseMessage resp = await _sim.SendAsync(new HttpMethod(c.Method), c.Path, c.Body);
        string body = await resp.Content.ReadAsStringAsync();

        Assert.True(cap.Status == (int)resp.StatusCode, $"{name}: status {(int)resp.StatusCode}, Ollama sends {cap.Status}; body: {body}");
        Assert.Equal(cap.ContentType, resp.Content.Headers.ContentType?.ToString());

        if (cap.ContentType == "application/x-ndjson")
        {
            string[] expected = ContractTests.Lines(cap.Body);
            string[] actual = ContractTests.Lines(body);
            if (expected.Length == 0)
            {
                Assert.Equal(string.Empty, body);
                return;
            }

            Assert.True(actual.Length >= 1, $"{name}: expected NDJSON lines, got: {body}");
            ContractTests.CompareJson(expected[0], actual[0], c.AllowedExtra);
            ContractTests.CompareJson(expected[^1], actual[^1], c.AllowedExtra);
            Assert.Equal(Done(expected[^1]), Done(actual[^1]));
            if (!Done(expected[^1]) && name != "pull_stream")
            {
                // Ended without a done line: the same number of lines as the real server sent.
                Assert.Equal(expected.Length, actual.Length);
            }

            Assert.True(body.EndsWith('\n'), "NDJSON ends with a newline");
        }
        else if (cap.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true && cap.Body.Length > 0)
        {
            ContractTests.CompareJson(cap.Body, body, c.AllowedExtra);
            Assert.Equal(cap.Body.EndsWith('\n'), body.EndsWith('\n'));
            using JsonDocument e = JsonDocument.Parse(cap.Body);
            if (e.RootElement.TryGetProperty("done", out JsonElement done) && !done.GetBoolean())
            {
                using JsonDocument a = JsonDocument.Parse(body);
                Assert.False(a.RootElement.GetProperty("done").GetBoolean());
                Assert.Equal(e.RootElement.GetProperty("model").GetString()!.Length == 0, a.RootElement.GetProperty("model").GetString()!.Length == 0);
                Assert.Equal(e.RootElement.GetProperty("created_at").GetString()!.StartsWith("0001-", StringComparison.Ordinal),
                    a.RootElement.GetProperty("created_at").GetString()!.StartsWith("0001-", StringComparison.Ordinal));
            }
        }
        else
        {
            Assert.Equal(cap.Body, body);
        }
    }

    private static bool Done(string line)
    {
        using JsonDocument d = JsonDocument.Parse(line);
        return !d.RootElement.TryGetProperty("done", out JsonElement done) || done.GetBoolean();
    }

    [Fact]
    public async Task ErrorBodiesAreByteIdenticalToOllama()
    {
        foreach (string name in new[] { "gen_missing_model", "gen_no_model", "chat_missing_model", "delete_missing", "version", "unknown_route", "openai_missing", "embed" })
        {
            Capture cap = Capture.Load(name, Capture.Directory032);
            Case c = Cases[name];
            using HttpResponseMessage resp = await _sim.SendAsync(new HttpMethod(c.Method), c.Path, c.Body);
            Assert.Equal(cap.Body, await resp.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task TheRepeatAbortSendsThirtyOneRepeatsAndNoDoneLine()
    {
        _sim.State.FindInstalled("gemma3:1b")!.RepeatsAfter = 3;
        List<JsonElement> lines = await _sim.StreamAllAsync(Gen, Story.Replace("\"num_predict\":24", "\"num_predict\":300"));
        Assert.Equal(34, lines.Count);
        Assert.All(lines, l => Assert.False(l.GetProperty("done").GetBoolean()));
        string repeated = lines[3].GetProperty("response").GetString()!;
        Assert.All(lines.Skip(3), l => Assert.Equal(repeated, l.GetProperty("response").GetString()));

        _sim.State.TokenRepeatLimit = 0;
        lines = await _sim.StreamAllAsync(Gen, Story.Replace("\"num_predict\":24", "\"num_predict\":40"));
        Assert.Equal(41, lines.Count);
        Assert.Equal("length", lines[^1].GetProperty("done_reason").GetString());
    }

    [Fact]
    public async Task AsOllama023TheListHasNoCapabilitiesAndEmbedOnAnyModelAnswers()
    {
        _sim.State.Version = SimulatorState.LegacyVersion;
        JsonElement tags = await _sim.JsonAsync(HttpMethod.Get, "/api/tags");
        JsonElement first = tags.GetProperty("models")[0];
        Assert.False(first.TryGetProperty("capabilities", out _));
        Assert.False(first.GetProperty("details").TryGetProperty("context_length", out _));
        using HttpResponseMessage embed = await _sim.PostAsync("/api/embed", Cases["embed"].Body!);
        Assert.Equal(200, (int)embed.StatusCode);

        _sim.State.Faults.InvalidUtf8After(Gen, 0);
        List<JsonElement> lines = await _sim.StreamAllAsync(Gen, Story);
        Assert.True(lines[^1].GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task AsOllama032TheListCarriesCapabilitiesAndContextLength()
    {
        JsonElement tags = await _sim.JsonAsync(HttpMethod.Get, "/api/tags");
        foreach (JsonElement m in tags.GetProperty("models").EnumerateArray())
        {
            SimModel model = _sim.State.FindInstalled(m.GetProperty("name").GetString()!)!;
            Assert.Equal(model.Capabilities, m.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()).ToArray());
            Assert.Equal(model.ContextLength, m.GetProperty("details").GetProperty("context_length").GetInt32());
            Assert.Equal(model.EmbeddingLength, m.GetProperty("details").GetProperty("embedding_length").GetInt32());
        }
    }
}
