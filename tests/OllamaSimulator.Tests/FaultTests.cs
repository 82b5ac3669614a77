using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace OllamaSimulator.Tests;

/// <summary>Every fault switch, and the request log (which records requests before faults apply).</summary>
public sealed class FaultTests : IAsyncLifetime
{
    private Sim _sim = null!;

    public async Task InitializeAsync() => _sim = await Sim.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private FaultSettings Faults => _sim.State.Faults;

    [Fact]
    public async Task RefuseConnectionsAbortsEveryRequest()
    {
        Faults.RefuseConnections = true;
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _sim.Client.GetStringAsync("/api/tags"));
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => _sim.Client.GetStringAsync("/api/version"));
        Assert.Equal(1, _sim.State.Log.Count("GET", "/api/tags"));

        Faults.RefuseConnections = false;
        Assert.Contains("models", await _sim.Client.GetStringAsync("/api/tags"));
    }

    [Fact]
    public async Task ResponseDelayHoldsTheHeaders()
    {
        Faults.ResponseDelay = TimeSpan.FromMilliseconds(300);
        var sw = Stopwatch.StartNew();
        using HttpResponseMessage r = await _sim.SendAsync(HttpMethod.Get, "/api/version", option: HttpCompletionOption.ResponseHeadersRead);
        Assert.True(sw.ElapsedMilliseconds >= 290, $"{sw.ElapsedMilliseconds} ms");
        Assert.Equal(200, (int)r.StatusCode);
    }

    [Fact]
    public async Task FailNextFailsTheGivenNumberOfRequests()
    {
        Faults.FailNext("/api/tags", 503, "server busy, please try again.  maximum pending requests exceeded", times: 2);
        for (int i = 0; i < 2; i++)
        {
            using HttpResponseMessage r = await _sim.SendAsync(HttpMethod.Get, "/api/tags");
            Assert.Equal(503, (int)r.StatusCode);
            Assert.Equal("application/json; charset=utf-8", r.Content.Headers.ContentType?.ToString());
            Assert.Equal("{\"error\":\"server busy, please try again.  maximum pending requests exceeded\"}", await r.Content.ReadAsStringAsync());
        }

        using HttpResponseMessage ok = await _sim.SendAsync(HttpMethod.Get, "/api/tags");
        Assert.Equal(200, (int)ok.StatusCode);

        // Other paths are not affected.
        Faults.FailNext("/api/show", 500, "boom");
        using HttpResponseMessage version = await _sim.SendAsync(HttpMethod.Get, "/api/version");
        Assert.Equal(200, (int)version.StatusCode);
    }

    [Fact]
    public async Task MalformedJsonNextSendsABodyThatDoesNotParse()
    {
        Faults.MalformedJsonNext("/api/tags");
        using HttpResponseMessage r = await _sim.SendAsync(HttpMethod.Get, "/api/tags");
        Assert.Equal(200, (int)r.StatusCode);
        string body = await r.Content.ReadAsStringAsync();
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));
        await _sim.JsonAsync(HttpMethod.Get, "/api/tags");
    }

    [Fact]
    public async Task CutStreamAfterAbortsTheConnection()
    {
        Faults.CutStreamAfter("/api/generate", 3);
        var lines = new List<string>();
        Exception? error = null;
        try
        {
            using HttpResponseMessage r = await _sim.SendAsync(HttpMethod.Post, "/api/generate", "{\"model\":\"gemma3:1b\",\"prompt\":\"x\",\"options\":{\"num_predict\":10}}", HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await r.Content.ReadAsStreamAsync(), Encoding.UTF8);
            while (await reader.ReadLineAsync() is { } line)
            {
                lines.Add(line);
            }
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            error = e;
        }

        Assert.NotNull(error);
        Assert.Equal(3, lines.Count);
        Assert.All(lines, l => Assert.Contains("\"done\":false", l));

        // Only once: the next stream is complete.
        List<JsonElement> next = await _sim.StreamAllAsync("/api/generate", "{\"model\":\"gemma3:1b\",\"prompt\":\"x\",\"options\":{\"num_predict\":10}}");
        Assert.True(next[^1].GetProperty("done").GetBoolean());
    }

    [Fact]
    public async Task ErrorLineAfterEndsTheStreamWithAnError()
    {
        Faults.ErrorLineAfter("/api/chat", 2, "an error was encountered while running the model: unexpected EOF");
        List<JsonElement> lines = await _sim.StreamAllAsync("/api/chat", "{\"model\":\"gemma3:1b\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"options\":{\"num_predict\":10}}");
        Assert.Equal(3, lines.Count);
        Assert.False(lines[1].GetProperty("done").GetBoolean());
        Assert.Equal("an error was encountered while running the model: unexpected EOF", lines[2].GetProperty("error").GetString());
    }

    [Fact]
    public async Task StreamFaultsApplyToPullsToo()
    {
        Faults.ErrorLineAfter("/api/pull", 3, "max retries exceeded: EOF");
        List<JsonElement> lines = await _sim.StreamAllAsync("/api/pull", "{\"model\":\"mistral:7b\"}");
        Assert.Equal(4, lines.Count);
        Assert.Equal("max retries exceeded: EOF", lines[^1].GetProperty("error").GetString());
        Assert.Null(_sim.State.FindInstalled("mistral:7b"));
    }

    [Fact]
    public async Task ResetClearsEverything()
    {
        Faults.RefuseConnections = true;
        Faults.ResponseDelay = TimeSpan.FromSeconds(5);
        Faults.FailNext("/", 500, "x", 100);
        Faults.MalformedJsonNext("/", 100);
        Faults.CutStreamAfter("/", 0, 100);
        Faults.ErrorLineAfter("/", 0, "x", 100);
        Faults.ColdLoadExtra = TimeSpan.FromSeconds(5);
        Faults.PullBytesPerSecond = 1;
        Faults.Reset();

        Assert.False(Faults.RefuseConnections);
        Assert.Equal(TimeSpan.Zero, Faults.ResponseDelay);
        Assert.Equal(TimeSpan.Zero, Faults.ColdLoadExtra);
        Assert.Equal(FaultSettings.DefaultPullBytesPerSecond, Faults.PullBytesPerSecond);
        var sw = Stopwatch.StartNew();
        List<JsonElement> lines = await _sim.StreamAllAsync("/api/generate", "{\"model\":\"gemma3:1b\",\"prompt\":\"x\",\"options\":{\"num_predict\":3}}");
        Assert.True(lines[^1].GetProperty("done").GetBoolean());
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task RequestLogRecordsEveryRequestBeforeFaults()
    {
        _sim.State.Log.Clear();
        Faults.FailNext("/api/generate", 500, "boom");
        const string body = "{\"model\":\"llama3.2:3b\",\"prompt\":\"hi\",\"stream\":false,\"options\":{\"num_predict\":1}}";
        using (HttpResponseMessage r = await _sim.PostAsync("/api/generate", body))
        {
            Assert.Equal(500, (int)r.StatusCode);
        }

        using (HttpResponseMessage r = await _sim.PostAsync("/api/generate", body))
        {
            Assert.Equal(200, (int)r.StatusCode);
        }

        await _sim.Client.GetStringAsync("/api/tags");
        await _sim.SendAsync(HttpMethod.Delete, "/api/delete", "{\"name\":\"nosuch\"}");
        await _sim.PostAsync("/api/copy", "{\"source\":\"gemma3:1b\",\"destination\":\"g2\"}");

        IReadOnlyList<LoggedRequest> log = _sim.State.Log.Entries;
        Assert.Equal(5, log.Count);
        Assert.Equal(2, _sim.State.Log.Count("POST", "/api/generate"));
        Assert.Equal(1, _sim.State.Log.Count("get", "/api/tags"));
        Assert.Equal(0, _sim.State.Log.Count("POST", "/api/pull"));
        Assert.Equal(body, log[0].Body);
        Assert.Equal("llama3.2:3b", log[0].Model);
        Assert.Null(log[2].Model);
        Assert.Equal("nosuch", log[3].Model);
        Assert.Equal("gemma3:1b", log[4].Model);
        Assert.True(log[0].At <= log[1].At);

        _sim.State.Log.Clear();
        Assert.Empty(_sim.State.Log.Entries);
    }
}
