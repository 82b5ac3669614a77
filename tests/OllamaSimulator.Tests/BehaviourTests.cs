using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace OllamaSimulator.Tests;

/// <summary>keep_alive, /api/ps, expiry, names, errors and the rest of Ollama's request handling.</summary>
public sealed class BehaviourTests : IAsyncLifetime
{
    private Sim _sim = null!;

    public async Task InitializeAsync() => _sim = await Sim.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private async Task<(int Status, string Body, string? ContentType)> Call(HttpMethod method, string path, string? json = null)
    {
        using HttpResponseMessage r = await _sim.SendAsync(method, path, json);
        return ((int)r.StatusCode, await r.Content.ReadAsStringAsync(), r.Content.Headers.ContentType?.ToString());
    }

    private Task<(int Status, string Body, string? ContentType)> Post(string path, string json) => Call(HttpMethod.Post, path, json);

    [Theory]
    [InlineData("\"-1\"")]
    [InlineData("\"10\"")]
    public async Task KeepAliveNumberWithoutUnitIsRejected(string keepAlive)
    {
        (int status, string body, _) = await Post("/api/generate", $"{{\"model\":\"gemma3:1b\",\"keep_alive\":{keepAlive}}}");
        Assert.Equal(400, status);
        Assert.Equal($"{{\"error\":\"time: missing unit in duration \\\"{keepAlive.Trim('"')}\\\"\"}}", body);
    }

    [Theory]
    [InlineData("0")]
    [InlineData("\"0\"")]
    [InlineData("\"0s\"")]
    public async Task KeepAliveZeroUnloads(string keepAlive)
    {
        Assert.Equal(200, (await Post("/api/generate", "{\"model\":\"gemma3:1b\"}")).Status);
        Assert.Single(_sim.State.Loaded);

        (int status, string body, _) = await Post("/api/generate", $"{{\"model\":\"gemma3:1b\",\"keep_alive\":{keepAlive}}}");
        Assert.Equal(200, status);
        using JsonDocument doc = JsonDocument.Parse(body);
        Assert.Equal("unload", doc.RootElement.GetProperty("done_reason").GetString());

        JsonElement ps = await _sim.JsonAsync(HttpMethod.Get, "/api/ps");
        Assert.Equal(0, ps.GetProperty("models").GetArrayLength());
        Assert.Empty(_sim.State.Loaded);
    }

    [Fact]
    public async Task ChatWithoutMessagesLoadsAndUnloads()
    {
        JsonElement load = await _sim.JsonAsync(HttpMethod.Post, "/api/chat", "{\"model\":\"gemma3:1b\"}");
        Assert.Equal("load", load.GetProperty("done_reason").GetString());
        Assert.Equal("assistant", load.GetProperty("message").GetProperty("role").GetString());
        Assert.Single(_sim.State.Loaded);
        JsonElement unload = await _sim.JsonAsync(HttpMethod.Post, "/api/chat", "{\"model\":\"gemma3:1b\",\"messages\":[],\"keep_alive\":0}");
        Assert.Equal("unload", unload.GetProperty("done_reason").GetString());
        Assert.Empty(_sim.State.Loaded);
    }

    [Fact]
    public async Task LoadedModelsExpireAfterKeepAlive()
    {
        var clock = new ManualTime(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        _sim.State.Time = clock;

        JsonElement load = await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"gemma3:1b\",\"keep_alive\":\"10m\",\"options\":{\"num_ctx\":2048}}");
        Assert.Equal("load", load.GetProperty("done_reason").GetString());

        JsonElement ps = await _sim.JsonAsync(HttpMethod.Get, "/api/ps");
        JsonElement entry = Assert.Single(ps.GetProperty("models").EnumerateArray());
        Assert.Equal("gemma3:1b", entry.GetProperty("name").GetString());
        Assert.Equal("2026-01-02T03:14:05Z", entry.GetProperty("expires_at").GetString());
        Assert.Equal(2048, entry.GetProperty("context_length").GetInt32());
        Assert.Equal(815_319_791, entry.GetProperty("size").GetInt64());
        Assert.Equal(815_319_791, entry.GetProperty("size_vram").GetInt64());

        clock.Advance(TimeSpan.FromMinutes(9));
        Assert.Single(_sim.State.Loaded);
        clock.Advance(TimeSpan.FromMinutes(2));
        ps = await _sim.JsonAsync(HttpMethod.Get, "/api/ps");
        Assert.Equal(0, ps.GetProperty("models").GetArrayLength());
        Assert.Empty(_sim.State.Loaded);
    }

    [Fact]
    public async Task DefaultKeepAliveIsFiveMinutesAndNegativeMeansForever()
    {
        var clock = new ManualTime(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
        _sim.State.Time = clock;
        await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"gemma3:1b\"}");
        await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"phi3:mini\",\"keep_alive\":-1}");
        await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"llama3.2:3b\",\"keep_alive\":\"-1m\"}");

        IReadOnlyList<LoadedModel> loaded = _sim.State.Loaded;
        Assert.Equal(3, loaded.Count);
        Assert.Equal(clock.GetUtcNow().AddMinutes(5), loaded.Single(l => l.Name == "gemma3:1b").ExpiresAt);
        Assert.True(loaded.Single(l => l.Name == "phi3:mini").ExpiresAt.Year > 2300);
        Assert.True(loaded.Single(l => l.Name == "llama3.2:3b").ExpiresAt.Year > 2300);
        // /api/ps lists the longest remaining first.
        Assert.Equal("gemma3:1b", loaded[^1].Name);

        clock.Advance(TimeSpan.FromDays(365));
        Assert.Equal(2, _sim.State.Loaded.Count);
    }

    [Fact]
    public async Task ReCreatedModelShowsTwoRunnersLikeOllama()
    {
        await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"gemma3:1b\"}");
        string newDigest = new string('e', 64);
        _sim.State.SetDigest("gemma3:1b", newDigest);
        await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"gemma3:1b\",\"keep_alive\":\"10m\"}");
        JsonElement ps = await _sim.JsonAsync(HttpMethod.Get, "/api/ps");
        JsonElement[] models = ps.GetProperty("models").EnumerateArray().ToArray();
        Assert.Equal(2, models.Length);
        Assert.All(models, m => Assert.Equal("gemma3:1b", m.GetProperty("name").GetString()));
        Assert.Equal(newDigest, models[0].GetProperty("digest").GetString());
        JsonElement tags = await _sim.JsonAsync(HttpMethod.Get, "/api/tags");
        Assert.Contains(tags.GetProperty("models").EnumerateArray(), m => m.GetProperty("digest").GetString() == newDigest);
    }

    [Fact]
    public async Task DifferentNumCtxReloadsTheModel()
    {
        await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"gemma3:1b\",\"options\":{\"num_ctx\":2048}}");
        await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"gemma3:1b\",\"options\":{\"num_ctx\":1000000}}");
        LoadedModel l = Assert.Single(_sim.State.Loaded);
        Assert.Equal(32_768, l.ContextLength); // capped at the model's trained context
    }

    [Fact]
    public async Task OutputIsDeterministicForASeed()
    {
        const string req = "{\"model\":\"gemma3:1b\",\"prompt\":\"tell me\",\"stream\":false,\"options\":{\"num_predict\":12,\"seed\":42}}";
        JsonElement a = await _sim.JsonAsync(HttpMethod.Post, "/api/generate", req);
        JsonElement b = await _sim.JsonAsync(HttpMethod.Post, "/api/generate", req);
        JsonElement c = await _sim.JsonAsync(HttpMethod.Post, "/api/generate", req.Replace("42", "43"));
        Assert.Equal(a.GetProperty("response").GetString(), b.GetProperty("response").GetString());
        Assert.NotEqual(a.GetProperty("response").GetString(), c.GetProperty("response").GetString());
        Assert.False(string.IsNullOrWhiteSpace(a.GetProperty("response").GetString()));
        Assert.Equal(12, a.GetProperty("eval_count").GetInt32());
    }

    [Fact]
    public async Task StreamedChunksConcatenateToTheNonStreamedText()
    {
        List<JsonElement> lines = await _sim.StreamAllAsync("/api/chat", "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"options\":{\"num_predict\":10,\"seed\":5}}");
        string streamed = string.Concat(lines.Select(l => l.GetProperty("message").GetProperty("content").GetString()));
        JsonElement whole = await _sim.JsonAsync(HttpMethod.Post, "/api/chat", "{\"model\":\"gemma3:1b\",\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"options\":{\"num_predict\":10,\"seed\":5}}");
        Assert.Equal(whole.GetProperty("message").GetProperty("content").GetString(), streamed);
        Assert.Equal(11, lines.Count);
        Assert.True(lines[^1].GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task WithoutNumPredictGenerationStopsByItself()
    {
        _sim.State.DefaultNumPredict = 20;
        JsonElement r = await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"gemma3:1b\",\"prompt\":\"x\",\"stream\":false,\"options\":{\"num_predict\":-1}}");
        Assert.Equal("stop", r.GetProperty("done_reason").GetString());
        Assert.Equal(20, r.GetProperty("eval_count").GetInt32());
    }

    [Fact]
    public async Task ThinkIsAcceptedSilently()
    {
        JsonElement a = await _sim.JsonAsync(HttpMethod.Post, "/api/chat", "{\"model\":\"deepseek-r1:8b\",\"think\":true,\"stream\":false,\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"options\":{\"num_predict\":2}}");
        Assert.Equal(2, a.GetProperty("eval_count").GetInt32());
        JsonElement b = await _sim.JsonAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"gemma3:1b\",\"think\":\"high\",\"prompt\":\"x\",\"stream\":false,\"options\":{\"num_predict\":2}}");
        Assert.Equal(2, b.GetProperty("eval_count").GetInt32());
    }

    [Fact]
    public async Task EmbeddingOnlyModelsDoNotGenerate()
    {
        (int status, string body, _) = await Post("/api/generate", "{\"model\":\"nomic-embed-text\",\"prompt\":\"hi\"}");
        Assert.Equal(400, status);
        Assert.Equal("{\"error\":\"\\\"nomic-embed-text\\\" does not support generate\"}", body);
        (status, body, _) = await Post("/api/chat", "{\"model\":\"nomic-embed-text\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}");
        Assert.Equal(400, status);
        Assert.Equal("{\"error\":\"\\\"nomic-embed-text\\\" does not support chat\"}", body);
    }

    [Fact]
    public async Task ToolsNeedTheToolsCapability()
    {
        (int status, string body, _) = await Post("/api/chat", "{\"model\":\"phi3:mini\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}]}");
        Assert.Equal(400, status);
        Assert.Equal("{\"error\":\"registry.ollama.ai/library/phi3:mini does not support tools\"}", body);
    }

    [Fact]
    public async Task EmbeddingsAreDeterministicUnitVectors()
    {
        JsonElement a = await _sim.JsonAsync(HttpMethod.Post, "/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":[\"a\",\"b\"]}");
        JsonElement b = await _sim.JsonAsync(HttpMethod.Post, "/api/embed", "{\"model\":\"nomic-embed-text:latest\",\"input\":\"a\"}");
        JsonElement[] vectors = a.GetProperty("embeddings").EnumerateArray().ToArray();
        Assert.Equal(2, vectors.Length);
        Assert.Equal(768, vectors[0].GetArrayLength());
        Assert.Equal(vectors[0].GetRawText(), b.GetProperty("embeddings")[0].GetRawText());
        double norm = Math.Sqrt(vectors[1].EnumerateArray().Sum(v => v.GetDouble() * v.GetDouble()));
        Assert.InRange(norm, 0.999, 1.001);

        JsonElement dims = await _sim.JsonAsync(HttpMethod.Post, "/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":\"a\",\"dimensions\":64}");
        Assert.Equal(64, dims.GetProperty("embeddings")[0].GetArrayLength());

        JsonElement legacy = await _sim.JsonAsync(HttpMethod.Post, "/api/embeddings", "{\"model\":\"nomic-embed-text\",\"prompt\":\"a\"}");
        Assert.Equal(768, legacy.GetProperty("embedding").GetArrayLength());
    }

    [Theory]
    [InlineData("/api/generate", "{\"model\":\"bad name\",\"prompt\":\"x\"}")]
    [InlineData("/api/generate", "{\"model\":\"../etc/passwd\",\"prompt\":\"x\"}")]
    [InlineData("/api/generate", "{\"model\":\"a..b\",\"prompt\":\"x\"}")]
    [InlineData("/api/chat", "{\"model\":\"bad name\"}")]
    [InlineData("/api/show", "{\"model\":\"bad name\"}")]
    [InlineData("/api/pull", "{\"model\":\"bad name\"}")]
    [InlineData("/api/embed", "{\"model\":\"bad name\",\"input\":\"x\"}")]
    public async Task InvalidModelNamesAreRejected(string path, string json)
    {
        (int status, string body, _) = await Post(path, json);
        Assert.Equal(400, status);
        Assert.Equal("{\"error\":\"invalid model name\"}", body);
    }

    [Theory]
    [InlineData("{\"model\":", "unexpected EOF")]
    [InlineData("{model:1}", "invalid character 'm' looking for beginning of object key string")]
    [InlineData("{\"model\" 1}", "invalid character '1' after object key")]
    [InlineData("{\"model\":\"x\" \"prompt\":1}", "invalid character '\\\"' after object key:value pair")]
    [InlineData("nope", "invalid character 'o' in literal null (expecting 'u')")]
    [InlineData("", "missing request body")]
    [InlineData("{\"model\":\"gemma3:1b\",\"stream\":\"yes\"}", "json: cannot unmarshal string into Go struct field GenerateRequest.stream of type bool")]
    public async Task MalformedJsonGetsGoErrors(string json, string expected)
    {
        (int status, string body, string? type) = await Post("/api/generate", json);
        Assert.Equal(400, status);
        Assert.Equal("application/json; charset=utf-8", type);
        Assert.Equal("{\"error\":\"" + expected + "\"}", body);
    }

    [Fact]
    public async Task RoutesBehaveLikeGin()
    {
        (int status, string body, string? type) = await Call(HttpMethod.Get, "/api/generate");
        Assert.Equal(405, status);
        Assert.Equal("405 method not allowed", body);
        Assert.Equal("text/plain", type);

        (status, body, type) = await Call(HttpMethod.Get, "/v1/nothing");
        Assert.Equal(404, status);
        Assert.Equal("404 page not found", body);
        Assert.Equal("text/plain", type);

        using HttpResponseMessage head = await _sim.SendAsync(HttpMethod.Head, "/");
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        (status, body, type) = await Call(HttpMethod.Get, "/");
        Assert.Equal("Ollama is running", body);
        Assert.Equal("text/plain; charset=utf-8", type);
    }

    [Fact]
    public async Task VersionIsConfigurable()
    {
        _sim.State.Version = "0.24.1";
        JsonElement v = await _sim.JsonAsync(HttpMethod.Get, "/api/version");
        Assert.Equal("0.24.1", v.GetProperty("version").GetString());
    }

    [Fact]
    public async Task ShowAcceptsTheLegacyNameFieldAndReportsModelInfo()
    {
        JsonElement show = await _sim.JsonAsync(HttpMethod.Post, "/api/show", "{\"name\":\"qwen2.5-coder:7b\"}");
        JsonElement info = show.GetProperty("model_info");
        Assert.Equal("qwen2", info.GetProperty("general.architecture").GetString());
        Assert.Equal(7_615_616_512, info.GetProperty("general.parameter_count").GetInt64());
        Assert.Equal(32_768, info.GetProperty("qwen2.context_length").GetInt32());
        Assert.Equal(3584, info.GetProperty("qwen2.embedding_length").GetInt32());
        Assert.Equal(new[] { "completion", "tools", "insert" }, show.GetProperty("capabilities").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("7.6B", show.GetProperty("details").GetProperty("parameter_size").GetString());

        (int status, string body, _) = await Post("/api/show", "{}");
        Assert.Equal(400, status);
        Assert.Equal("{\"error\":\"model is required\"}", body);
    }

    [Fact]
    public async Task TagsListsTheDefaultFleetNewestFirst()
    {
        JsonElement tags = await _sim.JsonAsync(HttpMethod.Get, "/api/tags");
        string[] names = tags.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).ToArray();
        Assert.Equal(new[] { "llama3.2:3b", "qwen2.5-coder:7b", "nomic-embed-text:latest", "llava:7b", "phi3:mini", "deepseek-r1:8b", "gemma3:1b" }, names);
        JsonElement llava = tags.GetProperty("models").EnumerateArray().Single(m => m.GetProperty("name").GetString() == "llava:7b");
        Assert.Equal(new[] { "llama", "clip" }, llava.GetProperty("details").GetProperty("families").EnumerateArray().Select(f => f.GetString()));

        Assert.Equal(7, _sim.State.Installed.Count);
        Assert.Equal(16, _sim.State.Remote.Count);
        Assert.All(_sim.State.Installed.Concat(_sim.State.Remote), m => Assert.Matches("^[0-9a-f]{64}$", m.Digest));
        Assert.All(_sim.State.Remote, m => Assert.InRange(m.LayerCount, 4, 6));
    }

    [Fact]
    public async Task CopyAndDeleteManageInstalledModels()
    {
        Assert.Equal(200, (await Post("/api/copy", "{\"source\":\"phi3:mini\",\"destination\":\"my-phi\"}")).Status);
        SimModel copy = Assert.Single(_sim.State.Installed, m => m.Name == "my-phi:latest");
        Assert.Equal(_sim.State.FindInstalled("phi3:mini")!.Digest, copy.Digest);

        (int status, string body, _) = await Post("/api/copy", "{\"source\":\"nope\",\"destination\":\"x\"}");
        Assert.Equal(404, status);
        Assert.Equal("{\"error\":\"model \\\"nope\\\" not found\"}", body);

        (status, body, _) = await Call(HttpMethod.Delete, "/api/delete", "{\"name\":\"my-phi\"}");
        Assert.Equal(200, status);
        Assert.Equal(string.Empty, body);
        Assert.DoesNotContain(_sim.State.Installed, m => m.Name == "my-phi:latest");
        Assert.True(_sim.State.RemoveInstalled("gemma3:1b"));
        Assert.Equal(404, (await Post("/api/generate", "{\"model\":\"gemma3:1b\",\"prompt\":\"x\"}")).Status);
    }

    [Fact]
    public async Task ModelNamesAreCaseInsensitiveAndDefaultToLatest()
    {
        JsonElement r = await _sim.JsonAsync(HttpMethod.Post, "/api/show", "{\"model\":\"NOMIC-EMBED-TEXT\"}");
        Assert.Equal("nomic-bert", r.GetProperty("details").GetProperty("family").GetString());
        JsonElement r2 = await _sim.JsonAsync(HttpMethod.Post, "/api/show", "{\"model\":\"registry.ollama.ai/library/gemma3:1b\"}");
        Assert.Equal("gemma3", r2.GetProperty("details").GetProperty("family").GetString());
    }

    [Fact]
    public async Task RegistryAnswersManifestDigests()
    {
        using (HttpResponseMessage head = await _sim.SendAsync(HttpMethod.Head, "/v2/library/llama3.2/manifests/3b"))
        {
            Assert.Equal(HttpStatusCode.OK, head.StatusCode);
            Assert.Equal("a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72", head.Headers.GetValues("ollama-content-digest").Single());
            Assert.Equal("sha256:a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72", head.Headers.GetValues("Docker-Content-Digest").Single());
        }

        string outdated = new string('1', 64);
        _sim.State.SetRemoteDigest("llama3.2:3b", outdated);
        using (HttpResponseMessage get = await _sim.SendAsync(HttpMethod.Get, "/v2/library/llama3.2/manifests/3b"))
        {
            Assert.Equal(outdated, get.Headers.GetValues("ollama-content-digest").Single());
            using JsonDocument manifest = JsonDocument.Parse(await get.Content.ReadAsStringAsync());
            Assert.Equal(2, manifest.RootElement.GetProperty("schemaVersion").GetInt32());
            Assert.Equal(5, manifest.RootElement.GetProperty("layers").GetArrayLength());
        }

        Assert.NotEqual(outdated, _sim.State.FindInstalled("llama3.2:3b")!.Digest);

        using HttpResponseMessage missing = await _sim.SendAsync(HttpMethod.Head, "/v2/library/nosuchmodel/manifests/latest");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task OpenAiEndpointsWork()
    {
        JsonElement models = await _sim.JsonAsync(HttpMethod.Get, "/v1/models");
        Assert.Equal(7, models.GetProperty("data").GetArrayLength());
        JsonElement chat = await _sim.JsonAsync(HttpMethod.Post, "/v1/chat/completions", "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}");
        Assert.Equal("length", chat.GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(3, chat.GetProperty("usage").GetProperty("completion_tokens").GetInt32());
        JsonElement emb = await _sim.JsonAsync(HttpMethod.Post, "/v1/embeddings", "{\"model\":\"nomic-embed-text\",\"input\":[\"a\"]}");
        Assert.Equal(768, emb.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());

        using HttpResponseMessage sse = await _sim.SendAsync(HttpMethod.Post, "/v1/chat/completions", "{\"model\":\"gemma3:1b\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":3}");
        Assert.Equal("text/event-stream", sse.Content.Headers.ContentType?.MediaType);
        string text = await sse.Content.ReadAsStringAsync();
        Assert.EndsWith("data: [DONE]\n\n", text);
    }

    [Fact]
    public async Task RunsStandaloneOnAGivenPort()
    {
        // A second server on an explicit port (the standalone entry point uses the same API).
        var probe = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        await using SimulatorServer s = await SimulatorServer.StartAsync(port: port);
        Assert.Equal(port, s.Port);
        Assert.Equal(new Uri($"http://127.0.0.1:{port}/"), s.BaseUri);
        using var client = new HttpClient();
        Assert.Equal("Ollama is running", await client.GetStringAsync(s.BaseUri));
        await s.StopAsync();
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => client.GetStringAsync(s.BaseUri));
    }
}
