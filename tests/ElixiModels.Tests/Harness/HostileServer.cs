using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Tests.Harness;

/// <summary>One request as the hostile server read it.</summary>
public sealed record HostileRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body)
{
    /// <summary>The JSON body, or null.</summary>
    public JsonNode? Json => Body.Length == 0 ? null : JsonNode.Parse(Body);
}

/// <summary>How a handler answers: raw bytes on the socket, so it can misbehave in any way HTTP allows or not.</summary>
public sealed class HostileConnection
{
    private readonly Stream _stream;

    internal HostileConnection(Stream stream, CancellationToken stopping)
    {
        _stream = stream;
        Stopping = stopping;
    }

    /// <summary>Cancelled when the server is disposed; a handler that waits forever waits on this.</summary>
    public CancellationToken Stopping { get; }

    /// <summary>A complete answer with a Content-Length.</summary>
    public Task JsonAsync(string body, int status = 200, params (string Name, string Value)[] headers) =>
        RawAsync(Head(status, "application/json; charset=utf-8", Encoding.UTF8.GetByteCount(body), headers) + body);

    /// <summary>Headers only, for a body that runs to the end of the connection (as Ollama's streams do).</summary>
    public Task HeadAsync(int status = 200, string contentType = "application/x-ndjson", params (string Name, string Value)[] headers) =>
        RawAsync(Head(status, contentType, null, headers));

    /// <summary>One NDJSON line.</summary>
    public Task LineAsync(string json) => RawAsync(json + "\n");

    public async Task RawAsync(string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        await _stream.WriteAsync(bytes, Stopping).ConfigureAwait(false);
        await _stream.FlushAsync(Stopping).ConfigureAwait(false);
    }

    public async Task RawAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes, Stopping).ConfigureAwait(false);
        await _stream.FlushAsync(Stopping).ConfigureAwait(false);
    }

    /// <summary>Never answers (until the server is disposed).</summary>
    public Task NeverAsync() => Task.Delay(Timeout.Infinite, Stopping);

    /// <summary>A redirect to <paramref name="location"/>.</summary>
    public Task RedirectAsync(string location, int status = 307) =>
        RawAsync(Head(status, "text/plain", 0, new[] { ("Location", location) }));

    /// <summary>Sends <paramref name="text"/> one byte every <paramref name="every"/>.</summary>
    public async Task TrickleAsync(string text, TimeSpan every)
    {
        foreach (byte b in Encoding.UTF8.GetBytes(text))
        {
            await RawAsync(new[] { b }).ConfigureAwait(false);
            await Task.Delay(every, Stopping).ConfigureAwait(false);
        }
    }

    private static string Head(int status, string contentType, long? length, IEnumerable<(string Name, string Value)> headers)
    {
        var head = new StringBuilder($"HTTP/1.1 {status} {Reason(status)}\r\nContent-Type: {contentType}\r\nConnection: close\r\n");
        if (length is { } n)
        {
            head.Append("Content-Length: ").Append(n).Append("\r\n");
        }

        foreach ((string name, string value) in headers)
        {
            head.Append(name).Append(": ").Append(value).Append("\r\n");
        }

        return head.Append("\r\n").ToString();
    }

    private static string Reason(int status) => status switch
    {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
}

/// <summary>
/// A small loopback HTTP server (raw sockets) that answers as a minimal healthy Ollama until a test chooses, per route,
/// how it misbehaves: never answering, trickling, stalling, endless progress, lines without a newline, bad JSON
/// shapes, impossible numbers, redirects. A TLS handshake is answered in plain HTTP, as an http-only server would.
/// </summary>
public sealed class HostileServer : IAsyncDisposable
{
    public const string Digest = "sha256:8648f39daa8fbf5b18c7b4e6a8fb4990c692751d49917417b8842ca5758e7ffc";
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ConcurrentDictionary<string, Func<HostileRequest, HostileConnection, Task>> _routes = new(StringComparer.OrdinalIgnoreCase);
    private readonly ConcurrentDictionary<Task, byte> _connections = new();
    private readonly Task _accepting;

    public HostileServer(IPAddress? address = null)
    {
        _listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        _listener.Start();
        var ep = (IPEndPoint)_listener.LocalEndpoint;
        Uri = new Uri($"http://{(ep.Address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{ep.Address}]" : ep.Address.ToString())}:{ep.Port}/");
        _accepting = Task.Run(AcceptAsync);
    }

    public Uri Uri { get; }

    /// <summary>The same server as https://, for clients that try TLS on it.</summary>
    public Uri HttpsUri => new UriBuilder(Uri) { Scheme = "https" }.Uri;

    /// <summary>Every request read, in order.</summary>
    public ConcurrentQueue<HostileRequest> Requests { get; } = new();

    /// <summary>TLS handshakes received (answered in plain HTTP).</summary>
    public int TlsHellos;

    /// <summary>The models the healthy /api/tags lists.</summary>
    public List<string> Installed { get; } = new() { "gemma3:1b", "llama3.2:3b" };

    /// <summary>Models in memory: loads add, keep_alive 0 removes, /api/ps lists.</summary>
    public ConcurrentDictionary<string, DateTimeOffset> Loaded { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Sets how <paramref name="route"/> ("POST /api/pull", or "/api/pull" for any method) answers; replaces the
    /// healthy behaviour until <see cref="Heal"/>.
    /// </summary>
    public HostileServer On(string route, Func<HostileRequest, HostileConnection, Task> handler)
    {
        _routes[route] = handler;
        return this;
    }

    /// <summary>Back to a healthy server (state kept).</summary>
    public void Heal() => _routes.Clear();

    public IEnumerable<HostileRequest> RequestsTo(string path) => Requests.Where(r => r.Path == path);

    public async ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        try
        {
            await Task.WhenAll(_connections.Keys.Append(_accepting)).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Handlers end on cancellation; what they threw on the way out does not matter.
        }

        _stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stopping.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stopping.Token).ConfigureAwait(false);
            }
            catch (Exception)
            {
                return;
            }

            Task t = Task.Run(() => ServeAsync(client));
            _connections[t] = 0;
            _ = t.ContinueWith(done => _connections.TryRemove(done, out _), TaskScheduler.Default);
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                var connection = new HostileConnection(stream, _stopping.Token);
                HostileRequest? request = await ReadRequestAsync(stream).ConfigureAwait(false);
                if (request is null)
                {
                    return;
                }

                if (request.Method == "TLS")
                {
                    Interlocked.Increment(ref TlsHellos);
                    await connection.RawAsync("HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request").ConfigureAwait(false);
                    return;
                }

                Requests.Enqueue(request);
                Func<HostileRequest, HostileConnection, Task> handler =
                    _routes.TryGetValue(request.Method + " " + request.Path, out var h) ? h
                    : _routes.TryGetValue(request.Path, out h) ? h
                    : Healthy;
                await handler(request, connection).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away, or the server is stopping.
            }
        }
    }

    private async Task<HostileRequest?> ReadRequestAsync(NetworkStream stream)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            int n = await stream.ReadAsync(one, _stopping.Token).ConfigureAwait(false);
            if (n == 0)
            {
                return null;
            }

            if (head.Count == 0 && one[0] == 0x16)
            {
                return new HostileRequest("TLS", string.Empty, new Dictionary<string, string>(), string.Empty);
            }

            head.Add(one[0]);
            if (head.Count >= 4 && head[^1] == '\n' && head[^2] == '\r' && head[^3] == '\n' && head[^4] == '\r')
            {
                break;
            }

            if (head.Count > 64 * 1024)
            {
                return null;
            }
        }

        string[] lines = Encoding.ASCII.GetString(head.ToArray()).Split("\r\n");
        string[] first = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string line in lines.Skip(1).Where(l => l.Contains(':')))
        {
            headers[line[..line.IndexOf(':')].Trim()] = line[(line.IndexOf(':') + 1)..].Trim();
        }

        byte[] body = Array.Empty<byte>();
        if (headers.TryGetValue("Content-Length", out string? length) && int.TryParse(length, out int count) && count > 0)
        {
            body = new byte[count];
            int read = 0;
            while (read < count)
            {
                int n = await stream.ReadAsync(body.AsMemory(read), _stopping.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }
        }

        string path = first.Length > 1 ? first[1] : "/";
        int query = path.IndexOf('?');
        return new HostileRequest(first[0], query >= 0 ? path[..query] : path, headers, Encoding.UTF8.GetString(body));
    }

    // A minimal healthy Ollama: enough for every cmdlet to succeed.
    private Task Healthy(HostileRequest r, HostileConnection c)
    {
        string? model = r.Json?["model"]?.GetValue<string>() ?? r.Json?["name"]?.GetValue<string>();
        switch (r.Method + " " + r.Path)
        {
            case "GET /":
                return c.RawAsync("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 17\r\nConnection: close\r\n\r\nOllama is running");
            case "GET /api/version":
                return c.JsonAsync("""{"version":"0.23.0"}""");
            case "GET /api/tags":
                return c.JsonAsync(TagsJson(Installed));
            case "GET /api/ps":
                return c.JsonAsync(PsJson(Loaded.Keys));
            case "POST /api/show":
                return c.JsonAsync(ShowJson(32768));
            case "DELETE /api/delete":
                Installed.RemoveAll(m => string.Equals(m, model, StringComparison.OrdinalIgnoreCase));
                return c.JsonAsync(string.Empty);
            case "POST /api/pull":
                return PullAsync(c, model ?? "gemma3:1b");
            case "POST /api/generate":
                return GenerateAsync(r, c, model ?? string.Empty);
            default:
                return c.JsonAsync("""{"error":"404 page not found"}""", 404);
        }
    }

    private async Task PullAsync(HostileConnection c, string model)
    {
        await c.HeadAsync().ConfigureAwait(false);
        await c.LineAsync("""{"status":"pulling manifest"}""").ConfigureAwait(false);
        await c.LineAsync($$"""{"status":"pulling 8648f39daa8f","digest":"{{Digest}}","total":1000,"completed":500}""").ConfigureAwait(false);
        await c.LineAsync($$"""{"status":"pulling 8648f39daa8f","digest":"{{Digest}}","total":1000,"completed":1000}""").ConfigureAwait(false);
        await c.LineAsync("""{"status":"verifying sha256 digest"}""").ConfigureAwait(false);
        await c.LineAsync("""{"status":"writing manifest"}""").ConfigureAwait(false);
        if (!Installed.Contains(model, StringComparer.OrdinalIgnoreCase))
        {
            Installed.Add(model);
        }

        await c.LineAsync("""{"status":"success"}""").ConfigureAwait(false);
    }

    private async Task GenerateAsync(HostileRequest r, HostileConnection c, string model)
    {
        JsonNode? body = r.Json;
        double? keepAlive = body?["keep_alive"]?.GetValue<double>();
        string prompt = body?["prompt"]?.GetValue<string>() ?? string.Empty;
        await c.HeadAsync().ConfigureAwait(false);
        if (keepAlive == 0)
        {
            Loaded.TryRemove(model, out _);
            await c.LineAsync(Done(model, "unload")).ConfigureAwait(false);
            return;
        }

        Loaded[model] = DateTimeOffset.UtcNow.AddMinutes(5);
        if (prompt.Length == 0)
        {
            await c.LineAsync(Done(model, "load")).ConfigureAwait(false);
            return;
        }

        var watch = System.Diagnostics.Stopwatch.StartNew();
        for (int i = 0; i < 4; i++)
        {
            await c.LineAsync(Token(model, " word")).ConfigureAwait(false);
            await Task.Delay(20, c.Stopping).ConfigureAwait(false);
        }

        long ns = watch.Elapsed.Ticks * 100;
        await c.LineAsync(DoneWith(model, ns, ns / 2, 4, ns / 4)).ConfigureAwait(false);
    }

    public static string Token(string model, string text) =>
        new JsonObject { ["model"] = model, ["created_at"] = "2025-01-01T00:00:00Z", ["response"] = text, ["done"] = false }.ToJsonString();

    public static string Done(string model, string reason) =>
        new JsonObject { ["model"] = model, ["created_at"] = "2025-01-01T00:00:00Z", ["response"] = "", ["done"] = true, ["done_reason"] = reason }.ToJsonString();

    /// <summary>A final generate line with the given timings (nanoseconds).</summary>
    public static string DoneWith(string model, long total, long eval, int evalCount, long promptEval, long load = 1_000_000, int promptCount = 12) =>
        new JsonObject
        {
            ["model"] = model, ["created_at"] = "2025-01-01T00:00:00Z", ["response"] = "", ["done"] = true, ["done_reason"] = "length",
            ["total_duration"] = total, ["load_duration"] = load, ["prompt_eval_count"] = promptCount, ["prompt_eval_duration"] = promptEval,
            ["eval_count"] = evalCount, ["eval_duration"] = eval,
        }.ToJsonString();

    public static string TagsJson(IEnumerable<string> names) =>
        new JsonObject { ["models"] = new JsonArray(names.Select(n => (JsonNode)ModelJson(n)).ToArray()) }.ToJsonString();

    public static JsonObject ModelJson(string name) => new()
    {
        ["name"] = name, ["model"] = name, ["modified_at"] = "2025-01-01T00:00:00Z", ["size"] = 815319791, ["digest"] = Digest[7..],
        ["details"] = new JsonObject { ["format"] = "gguf", ["family"] = "gemma3", ["parameter_size"] = "999.89M", ["quantization_level"] = "Q4_K_M" },
    };

    public static string PsJson(IEnumerable<string> names, long contextLength = 4096) => new JsonObject
    {
        ["models"] = new JsonArray(names.Select(n => (JsonNode)new JsonObject
        {
            ["name"] = n, ["model"] = n, ["size"] = 1000000000, ["digest"] = Digest[7..], ["expires_at"] = DateTimeOffset.UtcNow.AddMinutes(5).ToString("o"),
            ["size_vram"] = 0, ["context_length"] = contextLength,
            ["details"] = new JsonObject { ["format"] = "gguf", ["family"] = "gemma3", ["parameter_size"] = "999.89M", ["quantization_level"] = "Q4_K_M" },
        }).ToArray()),
    }.ToJsonString();

    public static string ShowJson(long contextLength) => new JsonObject
    {
        ["capabilities"] = new JsonArray("completion"),
        ["details"] = new JsonObject { ["format"] = "gguf", ["family"] = "gemma3", ["parameter_size"] = "999.89M", ["quantization_level"] = "Q4_K_M" },
        ["model_info"] = new JsonObject { ["general.architecture"] = "gemma3", ["general.parameter_count"] = 999885952, ["gemma3.context_length"] = contextLength },
        ["parameters"] = "temperature 1",
        ["template"] = "{{ .Prompt }}",
    }.ToJsonString();
}
