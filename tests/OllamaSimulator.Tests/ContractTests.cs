using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace OllamaSimulator.Tests;

/// <summary>
/// For every capture of a real Ollama 0.23.0 response, the simulator's answer to the equivalent request has the
/// same status, the same Content-Type and the same JSON shape (every captured property present with the same kind,
/// no extra top-level properties; NDJSON compared on the first and last lines).
/// </summary>
public sealed class ContractTests : IAsyncLifetime
{
    private Sim _sim = null!;

    public async Task InitializeAsync()
    {
        _sim = await Sim.StartAsync();
        _sim.State.Version = SimulatorState.LegacyVersion;
    }

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private sealed record Case(string Method, string Path, string? Body, Func<Sim, Task>? Setup = null, string[]? AllowedExtra = null);

    private const string Gen = "/api/generate";
    private const string Chat = "/api/chat";

    private static async Task Load(Sim sim) =>
        (await sim.PostAsync(Gen, "{\"model\":\"gemma3:1b\"}")).EnsureSuccessStatusCode();

    private static readonly Dictionary<string, Case> Cases = new()
    {
        ["version"] = new("GET", "/api/version", null),
        ["tags"] = new("GET", "/api/tags", null),
        ["show"] = new("POST", "/api/show", "{\"model\":\"llama3.2:3b\"}"),
        ["show_missing"] = new("POST", "/api/show", "{\"model\":\"nosuchmodel\"}"),
        ["ps_loaded"] = new("GET", "/api/ps", null, Load),
        ["ps_after_unload"] = new("GET", "/api/ps", null, async sim =>
        {
            await Load(sim);
            (await sim.PostAsync(Gen, "{\"model\":\"gemma3:1b\",\"keep_alive\":0}")).EnsureSuccessStatusCode();
        }),
        ["gen_stream"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"Why is the sky blue?\",\"options\":{\"num_predict\":24}}"),
        ["gen_nostream"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"Why is the sky blue?\",\"stream\":false,\"options\":{\"num_predict\":8}}"),
        ["gen_stopseq"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"Why is the sky blue?\",\"stream\":false,\"options\":{\"num_predict\":24,\"stop\":[\" \"]}}", AllowedExtra: new[] { "eval_duration" }),
        ["gen_missing_model"] = new("POST", Gen, "{\"model\":\"nosuchmodel\",\"prompt\":\"hi\"}"),
        ["gen_no_model"] = new("POST", Gen, "{\"prompt\":\"hi\"}"),
        ["unload"] = new("POST", Gen, "{\"model\":\"gemma3:1b\",\"keep_alive\":0}", Load),
        ["chat_stream"] = new("POST", Chat, "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}],\"options\":{\"num_predict\":6}}"),
        ["chat_nostream"] = new("POST", Chat, "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"Why is the sky blue?\"}],\"stream\":false,\"options\":{\"num_predict\":6}}"),
        ["chat_missing_model"] = new("POST", Chat, "{\"model\":\"nosuchmodel\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}"),
        ["embed"] = new("POST", "/api/embed", "{\"model\":\"nomic-embed-text\",\"input\":\"Why is the sky blue?\"}"),
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
    public void EveryCaptureHasAContractCase()
    {
        string[] captured = System.IO.Directory.GetFiles(Capture.Directory, "*.headers")
            .Select(f => System.IO.Path.GetFileNameWithoutExtension(f))
            .OrderBy(n => n)
            .ToArray();
        Assert.NotEmpty(captured);
        Assert.Empty(captured.Except(Cases.Keys));
    }

    [Theory]
    [MemberData(nameof(CaptureNames))]
    public async Task MatchesCapture(string name)
    {
        Capture cap = Capture.Load(name);
        Case c = Cases[name];
        if (c.Setup is not null)
        {
            await c.Setup(_sim);
        }

        using HttpResponseMessage resp = await _sim.SendAsync(new HttpMethod(c.Method), c.Path, c.Body);
        string body = await resp.Content.ReadAsStringAsync();

        Assert.True(cap.Status == (int)resp.StatusCode, $"{name}: status {(int)resp.StatusCode}, Ollama sends {cap.Status}; body: {body}");
        string? contentType = resp.Content.Headers.ContentType?.ToString();
        Assert.Equal(cap.ContentType, contentType);

        if (cap.Headers.ContainsKey("Content-Length") && name != "show")
        {
            Assert.NotNull(resp.Content.Headers.ContentLength);
        }

        if (cap.ContentType == "application/x-ndjson")
        {
            Assert.True(resp.Headers.TransferEncodingChunked == true, $"{name}: NDJSON should be chunked");
            string[] expectedLines = Lines(cap.Body);
            string[] actualLines = Lines(body);
            Assert.True(actualLines.Length >= 2, $"{name}: expected at least two NDJSON lines, got: {body}");
            CompareJson(expectedLines[0], actualLines[0], c.AllowedExtra);
            CompareJson(expectedLines[^1], actualLines[^1], c.AllowedExtra);
            Assert.True(body.EndsWith('\n'), "NDJSON ends with a newline");
        }
        else if (cap.ContentType?.StartsWith("application/json", StringComparison.Ordinal) == true)
        {
            CompareJson(cap.Body, body, c.AllowedExtra);
            Assert.Equal(cap.Body.EndsWith('\n'), body.EndsWith('\n'));
        }
        else
        {
            Assert.Equal(cap.Body, body);
        }
    }

    internal static string[] Lines(string s) => s.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    internal static void CompareJson(string expected, string actual, string[]? allowedExtra)
    {
        using JsonDocument e = JsonDocument.Parse(expected);
        using JsonDocument a = JsonDocument.Parse(actual);
        JsonShape.AssertContains(e.RootElement, a.RootElement);
        JsonShape.AssertNoExtraTopLevel(e.RootElement, a.RootElement, allowedExtra ?? Array.Empty<string>());
    }

    [Fact]
    public async Task ErrorBodiesAreByteIdenticalToOllama()
    {
        foreach (string name in new[] { "gen_missing_model", "gen_no_model", "chat_missing_model", "show_missing", "delete_missing", "version", "unknown_route", "openai_missing" })
        {
            Capture cap = Capture.Load(name);
            Case c = Cases[name];
            using HttpResponseMessage resp = await _sim.SendAsync(new HttpMethod(c.Method), c.Path, c.Body);
            Assert.Equal(cap.Body, await resp.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task CreatedAtLooksLikeGoTime()
    {
        JsonElement r = await _sim.JsonAsync(HttpMethod.Post, Gen, "{\"model\":\"gemma3:1b\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":2}}");
        string createdAt = r.GetProperty("created_at").GetString()!;
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?Z$", createdAt);
        Assert.True(DateTimeOffset.Parse(createdAt, CultureInfo.InvariantCulture) > DateTimeOffset.UtcNow.AddMinutes(-1));
    }
}
