using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace OllamaSimulator;

/// <summary>
/// A Kestrel server on 127.0.0.1 that answers like Ollama 0.23 (and like its registry for manifest checks).
/// Start it with <see cref="StartAsync"/>; port 0 lets the OS pick a free port.
/// </summary>
public sealed class SimulatorServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Router _router;
    private int _stopped;

    private SimulatorServer(WebApplication app, SimulatorState state)
    {
        _app = app;
        State = state;
        _router = new Router();
    }

    /// <summary>The base address, e.g. http://127.0.0.1:43125/.</summary>
    public Uri BaseUri { get; private set; } = null!;

    public int Port { get; private set; }

    public SimulatorState State { get; }

    /// <summary>Starts a simulator for <paramref name="state"/> (the default fleet when null).</summary>
    public static async Task<SimulatorServer> StartAsync(SimulatorState? state = null, int port = 0, CancellationToken ct = default)
    {
        state ??= SimulatorState.CreateDefault();
        // Token timing ends each wait with a short spin on a pool thread. On a 2-core machine a few concurrent
        // generations plus the client's own work can then exhaust the pool's minimum, and the pool adds threads only
        // every ~0.5 s: timings would stretch by that much. A higher floor keeps simulated timings true.
        ThreadPool.GetMinThreads(out int workers, out int io);
        if (workers < 32)
        {
            ThreadPool.SetMinThreads(32, io);
        }

        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = Array.Empty<string>(),
            ApplicationName = typeof(SimulatorServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = null;
            k.Limits.MinResponseDataRate = null;
            k.Limits.MinRequestBodyDataRate = null;
            k.Listen(IPAddress.Loopback, port);
        });

        WebApplication app = builder.Build();
        var server = new SimulatorServer(app, state);
        app.Run(server.HandleAsync);
        await app.StartAsync(ct).ConfigureAwait(false);

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        server.BaseUri = new Uri($"http://127.0.0.1:{server.Port}/");
        return server;
    }

    /// <summary>Stops listening; in-flight requests (streams, pulls) are cancelled.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        _stopping.Cancel();
        try
        {
            await _app.StopAsync().ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _stopping.Dispose();
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync().ConfigureAwait(false);

    private async Task HandleAsync(HttpContext ctx)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, _stopping.Token);
        CancellationToken ct = linked.Token;
        string path = ctx.Request.Path.HasValue ? ctx.Request.Path.Value! : "/";
        string method = ctx.Request.Method;
        try
        {
            byte[] body = await ReadBodyAsync(ctx.Request, ct).ConfigureAwait(false);
            if (path.StartsWith(ControlApi.Prefix, StringComparison.Ordinal))
            {
                await ControlApi.HandleAsync(ctx, State, method, path, body, ct).ConfigureAwait(false);
                return;
            }

            State.Log.Add(new LoggedRequest(State.Time.GetUtcNow(), method, path, Encoding.UTF8.GetString(body), GoRequest.TryGetModel(body), ctx.Request.Headers.Authorization.Count > 0 ? ctx.Request.Headers.Authorization.ToString() : null));

            FaultSettings faults = State.Faults;
            if (faults.RefuseConnections)
            {
                ctx.Abort();
                return;
            }

            TimeSpan delay = faults.ResponseDelay;
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
            }

            if (faults.TryConsume(FaultSettings.Kind.Fail, path) is { } fail)
            {
                await Http.ErrorAsync(ctx, fail.Status, fail.Text, ct).ConfigureAwait(false);
                return;
            }

            if (faults.TryConsume(FaultSettings.Kind.Malformed, path) is not null)
            {
                await Http.BytesAsync(ctx, 200, Http.JsonType, Encoding.UTF8.GetBytes("{\"models\":[{\"name\":\"llama3.2:3b\",\"model\":\"llama3.2:3b\",\"modified_at\":"), ct).ConfigureAwait(false);
                return;
            }

            var req = new Req(ctx, State, path, method, body, ct);
            await _router.DispatchAsync(req).ConfigureAwait(false);
        }
        catch (StreamTerminatedException)
        {
            // A fault ended the stream on purpose.
        }
        catch (ApiError e) when (!ctx.Response.HasStarted)
        {
            await Http.ErrorAsync(ctx, e.Status, e.Message, ct).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Client went away or the server is stopping.
            if (!ctx.RequestAborted.IsCancellationRequested && _stopping.IsCancellationRequested)
            {
                ctx.Abort();
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
            // The connection broke while reading or writing.
        }
        catch (Exception e) when (!ctx.Response.HasStarted)
        {
            await Http.ErrorAsync(ctx, 500, e.Message, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        await request.Body.CopyToAsync(ms, ct).ConfigureAwait(false);
        return ms.ToArray();
    }

    /// <summary>No Ctrl+C / SIGTERM hooks when hosted inside another process.</summary>
    private sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>One request being served.</summary>
internal sealed class Req
{
    public Req(HttpContext http, SimulatorState state, string path, string method, byte[] body, CancellationToken ct)
    {
        Http = http;
        State = state;
        Path = path;
        Method = method;
        Body = body;
        Ct = ct;
        Start = System.Diagnostics.Stopwatch.GetTimestamp();
    }

    public HttpContext Http { get; }

    public SimulatorState State { get; }

    public string Path { get; }

    public string Method { get; }

    public byte[] Body { get; }

    public CancellationToken Ct { get; }

    /// <summary>Stopwatch timestamp when handling started (Ollama's checkpointStart).</summary>
    public long Start { get; }

    /// <summary>Path parameters of pattern routes.</summary>
    public Dictionary<string, string> Params { get; } = new(StringComparer.Ordinal);

    public GoRequest Decode(string goType) => GoRequest.Decode(Body, goType);
}

/// <summary>Thrown to end a handler after a fault has ended or cut its stream.</summary>
internal sealed class StreamTerminatedException : Exception
{
}

/// <summary>Response helpers matching Gin's headers.</summary>
internal static class Http
{
    public const string JsonType = "application/json; charset=utf-8";
    public const string PlainJsonType = "application/json";
    public const string NdjsonType = "application/x-ndjson";

    public static async Task BytesAsync(HttpContext ctx, int status, string? contentType, byte[] bytes, CancellationToken ct)
    {
        HttpResponse r = ctx.Response;
        r.StatusCode = status;
        if (contentType is not null)
        {
            r.ContentType = contentType;
        }

        r.ContentLength = bytes.Length;
        if (bytes.Length > 0 && !HttpMethods.IsHead(ctx.Request.Method))
        {
            await r.Body.WriteAsync(bytes, ct).ConfigureAwait(false);
        }
    }

    public static Task JsonAsync(HttpContext ctx, int status, object body, CancellationToken ct, string contentType = JsonType) =>
        BytesAsync(ctx, status, contentType, GoJson.SerializeToUtf8(body), ct);

    public static Task ErrorAsync(HttpContext ctx, int status, string message, CancellationToken ct, string contentType = JsonType) =>
        JsonAsync(ctx, status, new JObj().Add("error", message), ct, contentType);

    public static Task TextAsync(HttpContext ctx, int status, string text, string contentType, CancellationToken ct) =>
        BytesAsync(ctx, status, contentType, Encoding.UTF8.GetBytes(text), ct);

    /// <summary>200 with an empty body and Content-Length: 0 (no Content-Type), like Ollama's delete and copy.</summary>
    public static Task EmptyAsync(HttpContext ctx, int status = 200)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentLength = 0;
        return Task.CompletedTask;
    }
}

/// <summary>
/// An NDJSON (or SSE) response written line by line and flushed after each line. Applies the stream faults
/// (<see cref="FaultSettings.CutStreamAfter"/>, <see cref="FaultSettings.ErrorLineAfter"/>) of its path.
/// </summary>
internal sealed class LineStream
{
    private readonly Req _req;
    private readonly bool _sse;
    private readonly string _contentType;
    private readonly FaultSettings.Rule? _cut;
    private readonly FaultSettings.Rule? _errorLine;
    private int _written;

    private LineStream(Req req, bool sse, string contentType)
    {
        _req = req;
        _sse = sse;
        _contentType = contentType;
        _cut = req.State.Faults.TryConsume(FaultSettings.Kind.Cut, req.Path);
        _errorLine = req.State.Faults.TryConsume(FaultSettings.Kind.ErrorLine, req.Path);
    }

    public static LineStream Ndjson(Req req) => new(req, sse: false, Http.NdjsonType);

    public static LineStream Sse(Req req) => new(req, sse: true, "text/event-stream");

    public int Written => _written;

    public bool Started => _req.Http.Response.HasStarted;

    private async Task StartAsync()
    {
        HttpResponse r = _req.Http.Response;
        if (!r.HasStarted)
        {
            r.StatusCode = 200;
            r.ContentType = _contentType;
            if (_sse)
            {
                r.Headers.CacheControl = "no-cache";
                r.Headers.Connection = "keep-alive";
            }

            await r.StartAsync(_req.Ct).ConfigureAwait(false);
        }
    }

    private async Task RawAsync(string text)
    {
        await StartAsync().ConfigureAwait(false);
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        await _req.Http.Response.Body.WriteAsync(bytes, _req.Ct).ConfigureAwait(false);
        await _req.Http.Response.Body.FlushAsync(_req.Ct).ConfigureAwait(false);
    }

    /// <summary>Sends the status and headers if no line was written (an aborted answer: HTTP 200, empty body).</summary>
    public Task EnsureStartedAsync() => StartAsync();

    /// <summary>Writes one line (a JSON value), unless a fault ends the stream first.</summary>
    public async Task WriteAsync(object line)
    {
        if (_cut is not null && _written >= _cut.Lines)
        {
            if (Started)
            {
                await _req.Http.Response.Body.FlushAsync(CancellationToken.None).ConfigureAwait(false);
            }

            _req.Http.Abort();
            throw new StreamTerminatedException();
        }

        if (_errorLine is not null && _written >= _errorLine.Lines)
        {
            await WriteErrorAsync(_errorLine.Text).ConfigureAwait(false);
            throw new StreamTerminatedException();
        }

        await RawAsync(Format(GoJson.Serialize(line))).ConfigureAwait(false);
        _written++;
    }

    /// <summary>An {"error": ...} line inside the stream (Ollama's streamResponse after the first write).</summary>
    public Task WriteErrorAsync(string message)
    {
        object err = _sse
            ? new JObj().Add("error", new JObj().Add("message", message).Add("type", "api_error").Add("param", null).Add("code", null))
            : new JObj().Add("error", message);
        return RawAsync(Format(GoJson.Serialize(err)));
    }

    /// <summary>For SSE: the final "data: [DONE]".</summary>
    public Task WriteDoneAsync() => RawAsync("data: [DONE]\n\n");

    private string Format(string json) => _sse ? "data: " + json + "\n\n" : json + "\n";
}
