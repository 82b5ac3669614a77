using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Reliability;

/// <summary>One runspace shared by the hostile cases (importing the module per case would dominate the run).</summary>
public sealed class HostileSessionFixture : IDisposable
{
    public PsSession Ps { get; } = PsSession.Start();

    public void Dispose() => Ps.Dispose();
}

/// <summary>
/// The module against a server that misbehaves on purpose (<see cref="HostileServer"/>), one row per case, grouped
/// by the classes of issue 14: every wait is bounded, figures are checked, settings cannot break the session, sessions
/// do not trample each other, servers cannot redirect or mislabel. Each row must end in time (no hang) with its own
/// clear answer — never UnexpectedError — and leave the session working (no corrupted state, no lost result).
/// </summary>
public sealed class HostileServerTests : IClassFixture<HostileSessionFixture>
{
    private readonly PsSession _ps;

    public HostileServerTests(HostileSessionFixture fixture) => _ps = fixture.Ps;

    /// <summary>
    /// One row. <paramref name="Script"/> gets $args[0] = the server's http:// address, $args[1] = the same as https://,
    /// $args[2] = a second server's address (a redirect target). <paramref name="ErrorId"/> is the error expected
    /// (null: none); <paramref name="Check"/> adds what else must hold (null when it does).
    /// </summary>
    public sealed record Case(string Class, string Name, Action<HostileServer, HostileServer> Arrange, string Script, string? ErrorId,
        string? Text = null, double Seconds = 15, Func<PsResult, HostileServer, HostileServer, PsSession, string?>? Check = null,
        Func<IPAddress?>? Bind = null);

    private const string Measure = "Measure-OllamaModel gemma3:1b -Count 1 -Warmup 0 -MaxTokens 4";
    private const string Install = "Install-OllamaModel phi3:mini -Confirm:$false";

    public static readonly Dictionary<string, Case> Cases = new Case[]
    {
        // Every wait is bounded.
        new("waits", "pull-repeats-the-same-progress-forever", (s, _) => s.On("POST /api/pull", (r, c) => Forever(c,
                $$"""{"status":"pulling 8648f39daa8f","digest":"{{HostileServer.Digest}}","total":1000,"completed":500}""")),
            Install + " -StallTimeout 2", "PullStalled", "no progress", Check: Resumes),
        new("waits", "pull-progress-goes-back-and-forth", (s, _) => s.On("POST /api/pull", async (r, c) =>
            {
                await c.HeadAsync();
                for (int i = 0; ; i++)
                {
                    await c.LineAsync($$"""{"status":"pulling 8648f39daa8f","digest":"{{HostileServer.Digest}}","total":1000,"completed":{{(i % 2 == 0 ? 500 : 400)}}}""");
                    await Task.Delay(50, c.Stopping);
                }
            }),
            Install + " -StallTimeout 2", "PullStalled", null, Check: Resumes),
        new("waits", "pull-completed-runs-past-total", (s, _) => s.On("POST /api/pull", async (r, c) =>
            {
                await c.HeadAsync();
                for (int i = 1; ; i++)
                {
                    await c.LineAsync($$"""{"status":"pulling 8648f39daa8f","digest":"{{HostileServer.Digest}}","total":1000,"completed":{{1000 + i}}}""");
                    await Task.Delay(50, c.Stopping);
                }
            }),
            Install + " -StallTimeout 2", "PullStalled", null, Check: Resumes),
        new("waits", "pull-line-without-newline", (s, _) => s.On("POST /api/pull", (r, c) => EndlessLine(c)),
            Install, "OllamaInvalidResponse", "longer than 4 MB"),
        new("waits", "load-line-without-newline", (s, _) => s.On("POST /api/generate", (r, c) => EndlessLine(c)),
            "Switch-OllamaModel gemma3:1b", "OllamaInvalidResponse", "longer than 4 MB"),
        new("waits", "load-generates-forever", (s, _) => s.On("POST /api/generate", (r, c) => Forever(c, HostileServer.Token("gemma3:1b", " and"))),
            "Switch-OllamaModel gemma3:1b", "OllamaInvalidResponse", "generated text"),
        new("waits", "listing-never-answers", (s, _) => s.On("GET /api/tags", (r, c) => c.NeverAsync()),
            "Get-OllamaModel -TimeoutSec 1", "OllamaTimeout", null, Seconds: 8),
        new("waits", "listing-headers-then-silence", (s, _) => s.On("GET /api/tags", async (r, c) =>
            {
                await c.RawAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 500\r\nConnection: close\r\n\r\n{\"models\":[");
                await c.NeverAsync();
            }),
            "Get-OllamaModel -TimeoutSec 1", "OllamaTimeout", null, Seconds: 8),
        new("waits", "listing-trickles", (s, _) => s.On("GET /api/tags", async (r, c) =>
            {
                string body = HostileServer.TagsJson(s.Installed);
                await c.RawAsync($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await c.TrickleAsync(body, TimeSpan.FromMilliseconds(100));
            }),
            "Get-OllamaModel -TimeoutSec 2", "OllamaTimeout", null, Seconds: 10),
        new("waits", "error-body-never-ends", (s, _) => s.On("POST /api/pull", async (r, c) =>
            {
                await c.HeadAsync(500, "text/plain");
                await c.TrickleAsync(new string('e', 10_000), TimeSpan.FromMilliseconds(50));
            }),
            Install + " -TimeoutSec 2", "OllamaServerError", null, Seconds: 10, Check: Resumes),
        new("waits", "pull-goes-silent", (s, _) => s.On("POST /api/pull", async (r, c) =>
            {
                await c.HeadAsync();
                await c.LineAsync("""{"status":"pulling manifest"}""");
                await c.NeverAsync();
            }),
            Install + " -TimeoutSec 2", "OllamaTimeout", null, Seconds: 10, Check: Resumes),

        new("waits", "version-trickles", (s, _) => s.On("GET /api/version", async (r, c) =>
            {
                await c.RawAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 400\r\nConnection: close\r\n\r\n");
                await c.TrickleAsync("{\"version\":\"" + new string('0', 390), TimeSpan.FromMilliseconds(100));
            }),
            "Get-OllamaModelStatus -TimeoutSec 2", null, Seconds: 10, Check: (r, _, _, _) =>
                r.Output.Single().Properties["Status"].Value?.ToString() == "ServerUnreachable" && r.Warnings.Any(w => w.Contains("did not answer within"))
                    ? null : $"status {r.Output.Single().Properties["Status"].Value}; warnings: {string.Join(" | ", r.Warnings)}"),
        new("waits", "delete-answer-never-ends", (s, _) => s.On("DELETE /api/delete", async (r, c) =>
            {
                await c.HeadAsync(200, "application/json");
                await c.TrickleAsync(new string(' ', 10_000), TimeSpan.FromMilliseconds(50));
            }),
            "Remove-OllamaModel gemma3:1b -Confirm:$false -TimeoutSec 2", "OllamaTimeout", null, Seconds: 10),

        new("waits", "listing-announces-200-MB", (s, _) => s.On("GET /api/tags", async (r, c) =>
            {
                await c.RawAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 209715200\r\nConnection: close\r\n\r\n{\"models\":[");
                await c.NeverAsync();
            }),
            "Get-OllamaModel", "OllamaInvalidResponse", "too large"),
        new("waits", "listing-runs-past-64-MB", (s, _) => s.On("GET /api/tags", async (r, c) =>
            {
                await c.HeadAsync(200, "application/json");
                await c.RawAsync("{\"models\":[");
                byte[] chunk = System.Text.Encoding.ASCII.GetBytes(new string(' ', 1024 * 1024));
                for (int i = 0; i < 70; i++)
                {
                    await c.RawAsync(chunk);
                }

                await c.NeverAsync();
            }),
            "Get-OllamaModel", "OllamaInvalidResponse", "too large"),

        new("waits", "select-over-300-models-shows-progress", (s, _) =>
            {
                s.Installed.Clear();
                s.Installed.AddRange(Enumerable.Range(0, 300).Select(i => $"model{i}:1b"));
                s.On("POST /api/show", async (r, c) =>
                {
                    await Task.Delay(5, c.Stopping);
                    await c.JsonAsync(HostileServer.ShowJson(8192));
                });
            },
            "Select-OllamaModel -Task General -MemoryLimit 64GB", null, Seconds: 30, Check: (r, _, _, _) =>
                r.Progress.Count(p => p.Activity.StartsWith("Reading model details", StringComparison.Ordinal)) >= 2
                && r.Progress.Last(p => p.Activity.StartsWith("Reading model details", StringComparison.Ordinal)).RecordType == ProgressRecordType.Completed
                && r.Output.Count > 0
                    ? null : $"{r.Progress.Count} progress records, {r.Output.Count} results"),

        // Figures are checked before they are believed.
        new("figures", "eval-1ns-and-negative-load", (s, _) => Timings(s, eval: 1, load: -100_000_000_000),
            Measure, null, Check: ClientTimingStands),
        new("figures", "eval-0ns-for-4-tokens", (s, _) => Timings(s, eval: 0, load: 1_000_000),
            Measure, null, Check: ClientTimingStands),
        new("figures", "durations-longer-than-the-client-waited", (s, _) => Timings(s, eval: 50_000_000, load: 1_000_000, total: 1_000_000_000_000_000),
            Measure, null, Check: ClientTimingStands),
        new("figures", "context-length-2^32-in-show", (s, _) => s.On("POST /api/show", (r, c) => c.JsonAsync(HostileServer.ShowJson(1L << 32))),
            "Get-OllamaModel -Detailed gemma3:1b", null, Check: (r, s, _, _) =>
                r.Warnings.Any(w => w.Contains("out of range") && w.Contains("4294967296")) && r.Output.Count == 1 && r.Output[0].Properties["ContextLength"].Value is null
                    ? null : "expected a warning naming 4294967296 and no context length, got: " + string.Join(" | ", r.Warnings)),
        new("figures", "context-length-2^32-in-ps", (s, _) => s.On("GET /api/ps", (r, c) => c.JsonAsync(HostileServer.PsJson(new[] { "gemma3:1b" }, 1L << 32))),
            "Get-OllamaModel -Loaded", "OllamaInvalidResponse", null),
        new("figures", "size-2^64-in-tags", (s, _) => s.On("GET /api/tags", (r, c) => c.JsonAsync(HostileServer.TagsJson(s.Installed).Replace("815319791", "18446744073709551616"))),
            "Get-OllamaModel", "OllamaInvalidResponse", null),
        new("figures", "null-entry-in-tags", (s, _) => s.On("GET /api/tags", (r, c) => c.JsonAsync("""{"models":[null,""" + HostileServer.ModelJson("gemma3:1b").ToJsonString() + "]}")),
            "Get-OllamaModel", "OllamaInvalidResponse", "is null"),
        new("figures", "nameless-entry-in-tags", (s, _) => s.On("GET /api/tags", (r, c) => c.JsonAsync("""{"models":[{"model":"x","size":1,"digest":"abc"}]}""")),
            "Get-OllamaModel", "OllamaInvalidResponse", "has no name"),
        new("figures", "null-entry-in-ps", (s, _) => s.On("GET /api/ps", (r, c) => c.JsonAsync("""{"models":[null]}""")),
            "Get-OllamaModel -Loaded", "OllamaInvalidResponse", "is null"),
        new("figures", "models-is-a-string", (s, _) => s.On("GET /api/tags", (r, c) => c.JsonAsync("""{"models":"all of them"}""")),
            "Get-OllamaModel", "OllamaInvalidResponse", null),
        new("figures", "body-is-json-null", (s, _) => s.On("GET /api/tags", (r, c) => c.JsonAsync("null")),
            "Get-OllamaModel", "OllamaInvalidResponse", null),
        new("figures", "bad-wildcard-get", (_, _) => { }, "Get-OllamaModel 'llama['", "InvalidModelName", "wildcard"),
        new("figures", "bad-wildcard-remove", (_, _) => { }, "Remove-OllamaModel 'llama[' -Confirm:$false", "InvalidModelName", "wildcard",
            Check: (r, s, _, _) => s.RequestsTo("/api/delete").Any() ? "a DELETE was sent" : null),
        new("figures", "bad-wildcard-measure", (_, _) => { }, "Measure-OllamaModel 'llama['", "InvalidModelName", "wildcard"),
        new("figures", "bad-wildcard-select", (_, _) => { }, "'llama[' | Select-OllamaModel -Task General", "InvalidModelName", "wildcard"),
        new("figures", "bad-wildcard-available", (_, _) => { }, "Get-OllamaModel -Available -Offline 'llama['", "InvalidModelName", "wildcard"),

        // Settings cannot break the session.
        new("settings", "cache-ttl-timespan-max", (_, _) => { }, "Set-OllamaCache ([timespan]::MaxValue)", "InvalidTimeToLive", "at most 365 days",
            Check: MeasureStillWorks),
        new("settings", "cache-ttl-zero", (_, _) => { }, "Set-OllamaCache 0", "InvalidTimeToLive", "must be positive"),
        new("settings", "cache-ttl-negative", (_, _) => { }, "Set-OllamaCache ([timespan]::FromDays(-1))", "InvalidTimeToLive", "must be positive"),
        new("settings", "keep-alive-0.4ms", (_, _) => { }, "Switch-OllamaModel gemma3:1b -KeepAlive ([timespan]::FromTicks(4000))", "InvalidKeepAlive", "at least 1 second",
            Check: NothingLoaded),
        new("settings", "keep-alive-500ms", (_, _) => { }, "Switch-OllamaModel gemma3:1b -KeepAlive '500ms'", "InvalidKeepAlive", "at least 1 second",
            Check: NothingLoaded),
        new("settings", "keep-alive-0-with-autoswitch", (_, _) => { }, "Install-OllamaModel gemma3:1b -AutoSwitch -KeepAlive 0 -Confirm:$false", "InvalidKeepAlive", null,
            Check: (r, s, _, _) => s.RequestsTo("/api/pull").Any() ? "a pull was sent" : null),
        new("settings", "measure-result-with-a-year-long-cache", (_, _) => { }, "Set-OllamaCache '365.00:00:00'; " + Measure, null,
            Check: (r, s, _, ps) =>
            {
                ps.Invoke("Set-OllamaCache '1.00:00:00'");
                return r.Output.Count(o => o.BaseObject.GetType().Name == "BenchmarkResult") == 1 ? null : "the Measure result was lost";
            }),

        // Sessions do not trample each other (the multi-runspace cases are the facts below).
        new("sessions", "switch-that-does-not-stay-loaded", (s, _) => s.On("GET /api/ps", (r, c) => c.JsonAsync("""{"models":[]}""")),
            "Switch-OllamaModel gemma3:1b", null, Check: (r, s, _, _) =>
                r.Output.Single().Properties["IsLoaded"].Value is false && r.Warnings.Any(w => w.Contains("is not loaded"))
                    ? null : "expected IsLoaded false and a warning"),
        new("sessions", "active-model-unloaded-by-another-client", (_, _) => { }, "Switch-OllamaModel gemma3:1b | Out-Null", null, Check: (r, s, _, ps) =>
            {
                s.Loaded.Clear();
                PsResult status = ps.Invoke("Get-OllamaModelStatus");
                PSObject o = status.Output.Single();
                return o.Properties["Status"].Value?.ToString() == "NotLoaded" && (o.Properties["StatusReason"].Value as string)?.Contains("someone else") == true
                    ? null : $"status {o.Properties["Status"].Value}: {o.Properties["StatusReason"].Value}";
            }),

        // Servers cannot redirect requests elsewhere or mislabel themselves.
        new("servers", "delete-redirected-to-another-host", (s, other) => s.On("DELETE /api/delete", (r, c) => c.RedirectAsync(other.Uri + "api/delete")),
            "Remove-OllamaModel gemma3:1b -Confirm:$false", "OllamaCrossHostRedirect", "another server", Check: NothingReached),
        new("servers", "generate-redirected-to-another-host", (s, other) => s.On("POST /api/generate", (r, c) => c.RedirectAsync(other.Uri + "api/generate")),
            "Switch-OllamaModel gemma3:1b", "OllamaCrossHostRedirect", "another server", Check: NothingReached),
        new("servers", "listing-redirected-to-another-host", (s, other) => s.On("GET /api/tags", (r, c) => c.RedirectAsync(other.Uri + "api/tags", 302)),
            "Get-OllamaModel", "OllamaCrossHostRedirect", "another server", Check: NothingReached),
        new("servers", "listing-redirected-on-the-same-host", (s, _) => s
                .On("GET /api/tags", (r, c) => c.RedirectAsync("/v1/tags"))
                .On("GET /v1/tags", (r, c) => c.JsonAsync(HostileServer.TagsJson(s.Installed))),
            "Get-OllamaModel", null, Check: (r, _, _, _) => r.Output.Count == 2 ? null : $"{r.Output.Count} models"),
        new("servers", "fits-memory-of-a-remote-server", (_, _) => { }, "Get-OllamaModel -Available -FitsMemory -Offline", null, Bind: NonLoopback,
            Check: (r, _, _, _) => r.Output.Count > 0 && r.Output.All(o => o.Properties["FitsMemory"].Value is null) && r.Warnings.Any(w => w.Contains("is not this machine"))
                ? null : $"{r.Output.Count(o => o.Properties["FitsMemory"].Value is not null)} of {r.Output.Count} judged; warnings: {string.Join(" | ", r.Warnings)}"),
        new("servers", "registry-answers-401", (s, _) => s.On("/v2/library/nosuchmodel/manifests/1b",
                (r, c) => c.JsonAsync("""{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}""", 401)),
            "Get-OllamaModel -Available -Name nosuchmodel:1b -RegistryUri $args[0]", "RegistryCouldNotConfirm", "401"),
        new("servers", "registry-answers-500", (s, _) => s.On("/v2/library/nosuchmodel/manifests/1b", (r, c) => c.JsonAsync("""{"error":"database is locked"}""", 500)),
            "Get-OllamaModel -Available -Name nosuchmodel:1b -RegistryUri $args[0]", "RegistryCouldNotConfirm", "database is locked"),
        new("servers", "registry-answers-404", (s, _) => s.On("/v2/library/nosuchmodel/manifests/1b", (r, c) => c.JsonAsync("""{"errors":[{"code":"MANIFEST_UNKNOWN"}]}""", 404)),
            "Get-OllamaModel -Available -Name nosuchmodel:1b -RegistryUri $args[0]", "ModelNotAvailable", "or the registry"),
        new("servers", "https-to-plain-http-listing", (_, _) => { }, "Get-OllamaModel -Uri $args[1]", "OllamaPlainHttp", "plain HTTP"),
        new("servers", "https-to-plain-http-switch", (_, _) => { }, "Switch-OllamaModel gemma3:1b -Uri $args[1]", "OllamaPlainHttp", "plain HTTP"),
        new("servers", "https-to-plain-http-install", (_, _) => { }, Install + " -Uri $args[1]", "OllamaPlainHttp", "plain HTTP"),
    }.ToDictionary(c => c.Name);

    public static IEnumerable<object[]> CaseNames => Cases.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(CaseNames))]
    public async Task A_hostile_server_gets_a_clear_answer_in_time(string name)
    {
        Case c = Cases[name];
        IPAddress? bind = c.Bind?.Invoke();
        if (c.Bind is not null && bind is null)
        {
            return; // No address of this machine other than loopback: the remote case cannot be staged here.
        }

        await using var server = new HostileServer(bind);
        await using var other = new HostileServer();
        c.Arrange(server, other);
        _ps.SetDefaultUri(server.Uri);
        _ps.Invoke("Clear-OllamaCache");

        (PsResult r, bool hung, TimeSpan took) = Run(c.Script, TimeSpan.FromSeconds(c.Seconds), server.Uri.ToString(), server.HttpsUri.ToString(), other.Uri.ToString());
        Assert.False(hung, $"{name}: still running after {c.Seconds} s (a hang)");
        Assert.DoesNotContain(r.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("UnexpectedError", StringComparison.Ordinal));
        if (c.ErrorId is null)
        {
            r.AssertNoErrors();
        }
        else
        {
            ErrorRecord e = Assert.Single(r.AllErrors, x => x.FullyQualifiedErrorId.StartsWith(c.ErrorId + ",", StringComparison.Ordinal)
                || x.FullyQualifiedErrorId == c.ErrorId);
            Assert.False(string.IsNullOrWhiteSpace(e.ErrorDetails?.RecommendedAction), $"{name}: {c.ErrorId} has no RecommendedAction");
            string text = (e.ErrorDetails?.Message ?? string.Empty) + " " + e.Exception.Message;
            Assert.DoesNotContain("Object reference", text);
            if (c.Text is not null)
            {
                Assert.Contains(c.Text, text, StringComparison.OrdinalIgnoreCase);
            }
        }

        if (c.Check?.Invoke(r, server, other, _ps) is { } problem)
        {
            Assert.Fail($"{name}: {problem}");
        }

        // No corrupted state: with the server healthy again, the session lists, describes and reports as before.
        server.Heal();
        PsResult after = _ps.Invoke("Get-OllamaModel -Detailed | Out-Null; Get-OllamaModelStatus | Out-Null");
        after.AssertNoErrors();
    }

    [Fact]
    public async Task A_stream_that_never_ends_is_cut_at_its_overall_deadline()
    {
        await using var server = new HostileServer();
        server.On("POST /api/generate", (r, c) => Forever(c, HostileServer.Token("gemma3:1b", " and")));
        var client = new ElixiModels.Ollama.OllamaClient(server.Uri, new ElixiModels.Ollama.OllamaClientOptions { StreamDeadline = TimeSpan.FromSeconds(2) });
        var watch = Stopwatch.StartNew();
        var ex = await Assert.ThrowsAsync<ElixiModels.Ollama.OllamaException>(() =>
            client.GenerateAsync(new ElixiModels.Ollama.GenerateOptions { Model = "gemma3:1b", Prompt = "hi" }, null, CancellationToken.None));
        Assert.Equal(ElixiModels.Ollama.OllamaErrorKind.Timeout, ex.Kind);
        Assert.Contains("still streaming", ex.Message);
        Assert.InRange(watch.Elapsed.TotalSeconds, 1.5, 8);
    }

    [Fact]
    public async Task Eight_runspaces_switching_in_rounds_each_keep_their_active_model_loaded()
    {
        await using var server = new HostileServer();
        string[] models = Enumerable.Range(0, 8).Select(i => $"model{i}:1b").ToArray();
        server.Installed.Clear();
        server.Installed.AddRange(models);
        var sessions = Enumerable.Range(0, 8).Select(_ => PsSession.Start(server.Uri)).ToList();
        try
        {
            for (int round = 0; round < 3; round++)
            {
                int r = round;
                PsResult[] results = await Task.WhenAll(sessions.Select((s, i) => Task.Run(() => s.Invoke("Switch-OllamaModel $args[0]", models[(i + r * 3) % 8]))));
                foreach (PsResult result in results)
                {
                    result.AssertNoErrors();
                }
            }

            foreach (PsSession s in sessions)
            {
                PSObject status = s.Invoke("Get-OllamaModelStatus").Output.Single();
                Assert.Equal("Active", status.Properties["Status"].Value?.ToString());
                Assert.True(server.Loaded.ContainsKey((string)status.Properties["ActiveModel"].Value!), $"{status.Properties["ActiveModel"].Value} is not loaded");
            }
        }
        finally
        {
            sessions.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task A_switch_leaves_loaded_the_model_another_session_has_active()
    {
        await using var server = new HostileServer();
        using PsSession a = PsSession.Start(server.Uri);
        using PsSession b = PsSession.Start(server.Uri);
        a.Invoke("Switch-OllamaModel gemma3:1b").AssertNoErrors();
        b.Invoke("Switch-OllamaModel gemma3:1b").AssertNoErrors();
        PsResult r = b.Invoke("Switch-OllamaModel llama3.2:3b");
        r.AssertNoErrors();
        PSObject result = r.Output.Single();
        Assert.False((bool)result.Properties["Unloaded"].Value!);
        Assert.Contains("another session", (string)result.Properties["Note"].Value!);
        Assert.True(server.Loaded.ContainsKey("gemma3:1b"));
        Assert.Equal("Active", a.Invoke("Get-OllamaModelStatus").Output.Single().Properties["Status"].Value?.ToString());

        // Once no other session holds it, the same switch unloads as before.
        a.Runspace.Close();
        b.Invoke("Switch-OllamaModel gemma3:1b").AssertNoErrors();
        PsResult back = b.Invoke("Switch-OllamaModel llama3.2:3b");
        Assert.True((bool)back.Output.Single().Properties["Unloaded"].Value!);
    }

    [Fact]
    public async Task Status_says_when_another_session_of_this_process_unloaded_the_active_model()
    {
        await using var server = new HostileServer();
        server.Installed.Add("phi3:mini");
        using PsSession a = PsSession.Start(server.Uri);
        using PsSession b = PsSession.Start(server.Uri);
        a.Invoke("Switch-OllamaModel phi3:mini").AssertNoErrors();
        b.Invoke("Remove-OllamaModel phi3:mini -Confirm:$false").AssertNoErrors();
        PSObject status = a.Invoke("Get-OllamaModelStatus").Output.Single();
        Assert.Equal("NotLoaded", status.Properties["Status"].Value?.ToString());
        Assert.Contains("another session of this process", (string)status.Properties["StatusReason"].Value!);
    }

    [Fact]
    public async Task Across_two_processes_the_status_says_honestly_that_the_active_model_is_gone()
    {
        // Sessions of other processes are not known (the documented rule is per process); what must hold is that the
        // first process then says its active model was unloaded by someone else rather than claiming it is active.
        await using var server = new HostileServer();
        string signal = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "elixi-hostile-" + Guid.NewGuid().ToString("N"));
        ProcessStartInfo psi = Repo.PwshWithModule(
            $"$PSDefaultParameterValues['*-Ollama*:Uri'] = '{server.Uri}'; Switch-OllamaModel gemma3:1b | Out-Null; while (-not [System.IO.File]::Exists('{signal}')) {{ Start-Sleep -Milliseconds 100 }}; " +
            "$s = Get-OllamaModelStatus; 'STATUS=' + $s.Status + ' REASON=' + $s.StatusReason");

        using Process first = Process.Start(psi)!;
        Task<string> stdout = first.StandardOutput.ReadToEndAsync();
        Task<string> stderr = first.StandardError.ReadToEndAsync();
        try
        {
            var wait = Stopwatch.StartNew();
            while (!server.Loaded.ContainsKey("gemma3:1b") && wait.Elapsed < TimeSpan.FromSeconds(90) && !first.HasExited)
            {
                await Task.Delay(100);
            }

            Assert.True(server.Loaded.ContainsKey("gemma3:1b"), "the first process did not switch: " + (first.HasExited ? await stdout + await stderr : "still starting"));
            using PsSession second = PsSession.Start(server.Uri);
            second.Invoke("Switch-OllamaModel gemma3:1b").AssertNoErrors();
            second.Invoke("Switch-OllamaModel llama3.2:3b").AssertNoErrors();
            Assert.False(server.Loaded.ContainsKey("gemma3:1b"));
            await System.IO.File.WriteAllTextAsync(signal, string.Empty);
            await first.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
            string output = await stdout + await stderr;
            Assert.Contains("STATUS=NotLoaded", output);
            Assert.Contains("someone else", output);
        }
        finally
        {
            if (!first.HasExited)
            {
                first.Kill();
            }

            System.IO.File.Delete(signal);
        }
    }

    // ---- helpers ----

    private (PsResult Result, bool Hung, TimeSpan Took) Run(string script, TimeSpan limit, params object[] args)
    {
        bool hung = false;
        var watch = Stopwatch.StartNew();
        PsResult r = _ps.InvokeWhile(script, ps =>
        {
            while (ps.InvocationStateInfo.State is PSInvocationState.NotStarted or PSInvocationState.Running && watch.Elapsed < limit)
            {
                Thread.Sleep(20);
            }

            if (ps.InvocationStateInfo.State is PSInvocationState.NotStarted or PSInvocationState.Running)
            {
                hung = true;
                ps.Stop();
            }
        }, args);
        return (r, hung, watch.Elapsed);
    }

    private static async Task Forever(HostileConnection c, string line)
    {
        await c.HeadAsync();
        while (true)
        {
            await c.LineAsync(line);
            await Task.Delay(20, c.Stopping);
        }
    }

    private static async Task EndlessLine(HostileConnection c)
    {
        await c.HeadAsync();
        byte[] chunk = System.Text.Encoding.ASCII.GetBytes(new string('x', 64 * 1024));
        for (int i = 0; i < 200; i++)
        {
            await c.RawAsync(chunk);
        }

        await c.NeverAsync();
    }

    private static void Timings(HostileServer s, long eval, long load, long? total = null) => s.On("POST /api/generate", async (r, c) =>
    {
        string model = r.Json?["model"]?.GetValue<string>() ?? "gemma3:1b";
        await c.HeadAsync();
        if (string.IsNullOrEmpty(r.Json?["prompt"]?.GetValue<string>()))
        {
            await c.LineAsync(HostileServer.Done(model, "load"));
            return;
        }

        for (int i = 0; i < 4; i++)
        {
            await c.LineAsync(HostileServer.Token(model, " word"));
            await Task.Delay(100, c.Stopping);
        }

        await c.LineAsync(HostileServer.DoneWith(model, total ?? 500_000_000, eval, 4, 10_000_000, load));
    });

    private static string? ClientTimingStands(PsResult r, HostileServer s, HostileServer other, PsSession ps)
    {
        if (!r.Warnings.Any(w => w.Contains("impossible timings")))
        {
            return "no warning about the impossible timings";
        }

        PSObject result = r.Output.Single();
        double? tps = result.Properties["GenerateTpsMedian"].Value as double?;
        if (!(tps is > 0 and < 1000))
        {
            return $"GenerateTpsMedian {tps} is not the client's figure (4 tokens over ~0.3 s)";
        }

        foreach (PSObject run in ((System.Collections.IEnumerable)result.Properties["Runs"].Value!).Cast<object>().Select(PSObject.AsPSObject))
        {
            if (run.Properties["LoadMs"].Value is double load && load < 0)
            {
                return $"a run keeps LoadMs {load}";
            }
        }

        // Never stored: what the session remembers is the client's figure too.
        PsResult status = ps.Invoke("Switch-OllamaModel gemma3:1b | Out-Null; (Get-OllamaModelStatus).Performance");
        double? stored = status.Output.SingleOrDefault()?.Properties["GenerateTokensPerSecond"].Value as double?;
        return stored is > 0 and < 1000 ? null : $"the session stored {stored} tokens/s";
    }

    private static string? Resumes(PsResult r, HostileServer s, HostileServer other, PsSession ps)
    {
        s.Heal();
        PsResult again = ps.Invoke(Install);
        return again.AllErrors.Count == 0 && again.Output.Count == 1 ? null : "the same install did not work afterwards: " + string.Join("; ", again.AllErrors);
    }

    private static string? MeasureStillWorks(PsResult r, HostileServer s, HostileServer other, PsSession ps)
    {
        PsResult m = ps.Invoke(Measure + "; Get-OllamaModel -Available -Offline -Name gemma3:1b");
        return m.AllErrors.Count == 0 && m.Output.Count == 2 ? null : "Measure or -Available failed afterwards: " + string.Join("; ", m.AllErrors);
    }

    private static string? NothingLoaded(PsResult r, HostileServer s, HostileServer other, PsSession ps) =>
        s.RequestsTo("/api/generate").Any() ? "a load was sent" : null;

    private static string? NothingReached(PsResult r, HostileServer s, HostileServer other, PsSession ps) =>
        other.Requests.IsEmpty ? null : $"the other host received {string.Join(", ", other.Requests.Select(q => q.Method + " " + q.Path))}";

    private static IPAddress? NonLoopback() =>
        NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .FirstOrDefault(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a));
}
