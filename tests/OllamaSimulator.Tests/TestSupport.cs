using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Xunit;

namespace OllamaSimulator.Tests;

/// <summary>One real Ollama response: status, headers and body.</summary>
public sealed class Capture
{
    public required string Name { get; init; }

    public required int Status { get; init; }

    public required Dictionary<string, string> Headers { get; init; }

    public required string Body { get; init; }

    public string? ContentType => Headers.TryGetValue("Content-Type", out string? v) ? v : null;

    private static string? _dir;

    /// <summary>The captures directory: the copy in this test project (preferred), the one next to the test
    /// binaries, or shared/ollama-captures beside the repository.</summary>
    public static string Directory
    {
        get
        {
            if (_dir is not null)
            {
                return _dir;
            }

            string? root = RepoRoot();
            var candidates = new List<string>();
            if (root is not null)
            {
                candidates.Add(Path.Combine(root, "tests", "OllamaSimulator.Tests", "captures"));
            }

            candidates.Add(Path.Combine(AppContext.BaseDirectory, "captures"));
            if (root is not null)
            {
                candidates.Add(Path.GetFullPath(Path.Combine(root, "..", "shared", "ollama-captures")));
            }

            _dir = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "version.body")))
                ?? throw new DirectoryNotFoundException("no Ollama captures found in: " + string.Join(", ", candidates));
            return _dir;
        }
    }

    /// <summary>Walks up from the test binaries to the directory holding ElixiModels.sln or .git.</summary>
    public static string? RepoRoot()
    {
        for (DirectoryInfo? d = new(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "ElixiModels.sln")) || System.IO.Directory.Exists(Path.Combine(d.FullName, ".git")) || File.Exists(Path.Combine(d.FullName, ".git")))
            {
                return d.FullName;
            }
        }

        return null;
    }

    private static string? _dir032;

    /// <summary>The Ollama 0.32.15 captures: the copy in this test project (captures-0.32), the one next to the test
    /// binaries, or shared/ollama-captures-0.32 beside the repository.</summary>
    public static string Directory032
    {
        get
        {
            if (_dir032 is not null)
            {
                return _dir032;
            }

            string? root = RepoRoot();
            var candidates = new List<string>();
            if (root is not null)
            {
                candidates.Add(Path.Combine(root, "tests", "OllamaSimulator.Tests", "captures-0.32"));
            }

            candidates.Add(Path.Combine(AppContext.BaseDirectory, "captures-0.32"));
            if (root is not null)
            {
                candidates.Add(Path.GetFullPath(Path.Combine(root, "..", "shared", "ollama-captures-0.32")));
            }

            _dir032 = candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "version.body")))
                ?? throw new DirectoryNotFoundException("no Ollama 0.32 captures found in: " + string.Join(", ", candidates));
            return _dir032;
        }
    }

    public static Capture Load(string name, string? directory = null)
    {
        directory ??= Directory;
        string[] headerLines = File.ReadAllText(Path.Combine(directory, name + ".headers")).Split('\n')
            .Select(l => l.TrimEnd('\r'))
            .Where(l => l.Length > 0)
            .ToArray();
        int status = int.Parse(headerLines[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in headerLines.Skip(1))
        {
            int colon = line.IndexOf(':');
            headers[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
        }

        return new Capture
        {
            Name = name,
            Status = status,
            Headers = headers,
            Body = File.ReadAllText(Path.Combine(directory, name + ".body")),
        };
    }
}

/// <summary>Structural comparison of JSON documents ("same shape").</summary>
public static class JsonShape
{
    /// <summary>Every property of <paramref name="expected"/> exists in <paramref name="actual"/> with the same value
    /// kind, recursively for objects and the first element of arrays.</summary>
    public static void AssertContains(JsonElement expected, JsonElement actual, string path = "$")
    {
        Assert.True(
            Kind(expected) == Kind(actual),
            $"{path}: expected a JSON {Kind(expected)} but got {Kind(actual)} ({Trim(actual.GetRawText())})");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                foreach (JsonProperty p in expected.EnumerateObject())
                {
                    Assert.True(actual.TryGetProperty(p.Name, out JsonElement a), $"{path}: missing property \"{p.Name}\" in {Trim(actual.GetRawText())}");
                    AssertContains(p.Value, a, path + "." + p.Name);
                }

                break;
            case JsonValueKind.Array:
                if (expected.GetArrayLength() > 0)
                {
                    Assert.True(actual.GetArrayLength() > 0, $"{path}: expected a non-empty array");
                    AssertContains(expected[0], actual[0], path + "[0]");
                }

                break;
        }
    }

    /// <summary>No top-level property of <paramref name="actual"/> is missing from <paramref name="expected"/>
    /// (apart from <paramref name="allowed"/>).</summary>
    public static void AssertNoExtraTopLevel(JsonElement expected, JsonElement actual, params string[] allowed)
    {
        if (expected.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (JsonProperty p in actual.EnumerateObject())
        {
            Assert.True(
                expected.TryGetProperty(p.Name, out _) || allowed.Contains(p.Name),
                $"unexpected top-level property \"{p.Name}\" (Ollama does not send it)");
        }
    }

    private static string Kind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        _ => e.ValueKind.ToString().ToLowerInvariant(),
    };

    private static string Trim(string s) => s.Length > 200 ? string.Concat(s.AsSpan(0, 200), "…") : s;
}

/// <summary>A TimeProvider the test moves by hand.</summary>
public sealed class ManualTime : TimeProvider
{
    private readonly object _gate = new();
    private DateTimeOffset _now;

    public ManualTime(DateTimeOffset start)
    {
        _now = start;
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now;
        }
    }

    public void Advance(TimeSpan by)
    {
        lock (_gate)
        {
            _now += by;
        }
    }
}

/// <summary>A started simulator plus an HttpClient for it; dispose to stop.</summary>
public sealed class Sim : IAsyncDisposable
{
    private Sim(SimulatorServer server)
    {
        Server = server;
        // No draining of abandoned responses: disposing a half-read stream closes the connection at once, as a
        // client that gives up does (otherwise SocketsHttpHandler reads on for up to 2 s to reuse the connection).
        var handler = new SocketsHttpHandler { ResponseDrainTimeout = TimeSpan.Zero, MaxResponseDrainSize = 0 };
        Client = new HttpClient(handler) { BaseAddress = server.BaseUri, Timeout = TimeSpan.FromSeconds(60) };
    }

    public SimulatorServer Server { get; }

    public SimulatorState State => Server.State;

    public HttpClient Client { get; }

    public static async Task<Sim> StartAsync(SimulatorState? state = null) =>
        new(await SimulatorServer.StartAsync(state ?? SimulatorState.CreateDefault()));

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Server.DisposeAsync();
    }

    public Task<HttpResponseMessage> PostAsync(string path, string json, CancellationToken ct = default) =>
        Client.SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(json, Encoding.UTF8, "application/json") }, ct);

    public Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? json = null, HttpCompletionOption option = HttpCompletionOption.ResponseContentRead, CancellationToken ct = default)
    {
        var req = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            req.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        return Client.SendAsync(req, option, ct);
    }

    public async Task<JsonElement> JsonAsync(HttpMethod method, string path, string? json = null)
    {
        using HttpResponseMessage r = await SendAsync(method, path, json);
        string body = await r.Content.ReadAsStringAsync();
        Assert.True(r.IsSuccessStatusCode, $"{method} {path} → {(int)r.StatusCode}: {body}");
        using JsonDocument doc = JsonDocument.Parse(body);
        return doc.RootElement.Clone();
    }

    /// <summary>Streams NDJSON lines as they arrive, with the client-side time (seconds) each was read.</summary>
    public async IAsyncEnumerable<(JsonElement Line, double At)> StreamAsync(string path, string json, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        using HttpResponseMessage r = await SendAsync(HttpMethod.Post, path, json, HttpCompletionOption.ResponseHeadersRead, ct);
        Assert.Equal(200, (int)r.StatusCode);
        await using Stream s = await r.Content.ReadAsStreamAsync(ct);
        using var reader = new StreamReader(s, Encoding.UTF8);
        long start = Stopwatch.GetTimestamp();
        while (await reader.ReadLineAsync(ct) is { } line)
        {
            double at = Stopwatch.GetElapsedTime(start).TotalSeconds;
            if (line.Length == 0)
            {
                continue;
            }

            using JsonDocument doc = JsonDocument.Parse(line);
            yield return (doc.RootElement.Clone(), at);
        }
    }

    public async Task<List<JsonElement>> StreamAllAsync(string path, string json, CancellationToken ct = default)
    {
        var lines = new List<JsonElement>();
        await foreach ((JsonElement line, double _) in StreamAsync(path, json, ct))
        {
            lines.Add(line);
        }

        return lines;
    }
}
