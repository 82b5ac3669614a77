using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using OllamaSharp;
using OllamaSharp.Models;

namespace ElixiModels.Ollama;

/// <summary>
/// The module's access to one Ollama server. Version, delete and copy go through OllamaSharp; listings, /api/show and
/// the NDJSON streams (pull, generate) are read here because OllamaSharp 5.5.2 drops context_length and capabilities
/// detail, ignores {"error"} lines inside generate streams, cannot time the first token, and its extra mapping layer
/// costs listing speed. Every failure is an
/// <see cref="OllamaException"/>; idempotent reads are retried with backoff, state-changing requests never are.
/// </summary>
public sealed class OllamaClient
{
    private static readonly JsonSerializerOptions Json = new();
    private readonly SharpClient _sharp;

    public OllamaClient(Uri endpoint, OllamaClientOptions? options = null)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        Options = options ?? new OllamaClientOptions();
        _sharp = new SharpClient(this);
    }

    /// <summary>The server's base address.</summary>
    public Uri Endpoint { get; }

    /// <summary>Timeouts, retries and credentials.</summary>
    public OllamaClientOptions Options { get; }

    /// <summary>Canonical text of <see cref="Endpoint"/>.</summary>
    public string Host => OllamaEndpoint.Display(Endpoint);

    /// <summary>GET /api/version.</summary>
    public Task<string> GetVersionAsync(CancellationToken ct) =>
        ReadAsync(null, async token => await Guard(() => _sharp.GetVersionAsync(token)).ConfigureAwait(false), ct);

    /// <summary>GET /api/tags. Read straight into the module's own shape: it is the hot path of every listing.</summary>
    public Task<IReadOnlyList<WireModel>> ListInstalledAsync(CancellationToken ct) => ReadAsync(null, async token =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/tags");
        WireModelList list = await SendJsonAsync<WireModelList>(request, Options.Timeout, null, token).ConfigureAwait(false);
        return (IReadOnlyList<WireModel>)(list.Models ?? new List<WireModel>());
    }, ct);

    /// <summary>GET /api/ps.</summary>
    public Task<IReadOnlyList<WireRunningModel>> ListRunningAsync(CancellationToken ct) => ReadAsync(null, async token =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/ps");
        WireRunningList list = await SendJsonAsync<WireRunningList>(request, Options.Timeout, null, token).ConfigureAwait(false);
        return (IReadOnlyList<WireRunningModel>)(list.Models ?? new List<WireRunningModel>());
    }, ct);

    /// <summary>POST /api/show.</summary>
    public Task<WireShow> ShowAsync(string model, CancellationToken ct) => ReadAsync(model, async token =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/show")
        {
            Content = JsonBody(new JsonObject { ["model"] = model }),
        };
        return await SendJsonAsync<WireShow>(request, Options.Timeout, model, token).ConfigureAwait(false);
    }, ct);

    /// <summary>HEAD /api/blobs/sha256:…: whether the server already has the blob (so a pull need not download it).</summary>
    public Task<bool> BlobExistsAsync(string digest, CancellationToken ct) => ReadAsync(null, async token =>
    {
        string hex = digest.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase) ? digest.Substring(7) : digest;
        using var request = new HttpRequestMessage(HttpMethod.Head, "api/blobs/sha256:" + Uri.EscapeDataString(hex));
        try
        {
            using HttpResponseMessage response = await OllamaTransport.SendAsync(
                Endpoint, request, HttpCompletionOption.ResponseHeadersRead, Options, Options.Timeout, null, token).ConfigureAwait(false);
            return true;
        }
        catch (OllamaException ex) when (ex.StatusCode == 404)
        {
            return false;
        }
    }, ct);

    /// <summary>DELETE /api/delete. Not retried.</summary>
    public Task DeleteAsync(string model, CancellationToken ct) =>
        Guard(() => _sharp.DeleteModelAsync(new DeleteModelRequest { Model = model }, ct), model);

    /// <summary>POST /api/copy. Not retried.</summary>
    public Task CopyAsync(string source, string destination, CancellationToken ct) =>
        Guard(() => _sharp.CopyModelAsync(new CopyModelRequest { Source = source, Destination = destination }, ct), source);

    /// <summary>
    /// POST /api/pull, streaming. <paramref name="onUpdate"/> runs for every line; an {"error"} line or a stream that
    /// ends before "success" throws. Not retried: a re-run resumes, since Ollama keeps partial blobs.
    /// </summary>
    public async Task PullAsync(string model, bool insecure, Action<PullUpdate> onUpdate, CancellationToken ct)
    {
        var body = new JsonObject { ["model"] = model, ["stream"] = true };
        if (insecure)
        {
            body["insecure"] = true;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/pull") { Content = JsonBody(body) };
        bool success = false;
        await StreamAsync<PullUpdate>(request, model, Options.LoadTimeout, line =>
        {
            if (line.Error is { } error)
            {
                throw StreamError(model, error);
            }

            success |= string.Equals(line.Status, "success", StringComparison.OrdinalIgnoreCase);
            onUpdate(line);
            return success;
        }, ct).ConfigureAwait(false);

        if (!success)
        {
            throw new OllamaException(OllamaErrorKind.ConnectionLost, Endpoint,
                $"The download of '{model}' from {Host} stopped before it finished; run the same command again to resume.", model: model);
        }
    }

    /// <summary>
    /// POST /api/generate, streaming. <paramref name="onChunk"/> runs on every line as it arrives (so a caller can
    /// time the first token); returns the final line with the server's timings.
    /// </summary>
    public async Task<GenerateChunk> GenerateAsync(GenerateOptions options, Action<GenerateChunk>? onChunk, CancellationToken ct)
    {
        var body = new JsonObject
        {
            ["model"] = options.Model,
            ["prompt"] = options.Prompt ?? string.Empty,
            ["stream"] = true,
        };
        if (options.KeepAlive is { } keepAlive)
        {
            body["keep_alive"] = keepAlive.ToWireSeconds();
        }

        if (options.Raw)
        {
            body["raw"] = true;
        }

        if (options.Think is { } think)
        {
            body["think"] = think;
        }

        var modelOptions = new JsonObject();
        if (options.NumPredict is { } n) modelOptions["num_predict"] = n;
        if (options.Temperature is { } t) modelOptions["temperature"] = t;
        if (options.Seed is { } s) modelOptions["seed"] = s;
        if (options.NumCtx is { } c) modelOptions["num_ctx"] = c;
        if (modelOptions.Count > 0)
        {
            body["options"] = modelOptions;
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/generate") { Content = JsonBody(body) };
        GenerateChunk? last = null;
        await StreamAsync<GenerateChunk>(request, options.Model, Options.LoadTimeout, chunk =>
        {
            if (chunk.Error is { } error)
            {
                throw StreamError(options.Model, error);
            }

            onChunk?.Invoke(chunk);
            last = chunk;
            return chunk.Done;
        }, ct).ConfigureAwait(false);

        if (last is null || !last.Done)
        {
            throw new OllamaException(OllamaErrorKind.ConnectionLost, Endpoint,
                $"The answer from '{options.Model}' at {Host} ended before the model finished.", model: options.Model);
        }

        return last;
    }

    /// <summary>Loads a model into memory (an empty generate) and keeps it for <paramref name="keepAlive"/>.</summary>
    public Task<GenerateChunk> LoadAsync(string model, KeepAlive? keepAlive, CancellationToken ct, int? numCtx = null) =>
        GenerateAsync(new GenerateOptions { Model = model, KeepAlive = keepAlive, NumCtx = numCtx }, null, ct);

    /// <summary>
    /// Unloads a model: an empty generate with keep_alive 0 (OllamaSharp's RequestModelUnloadAsync ignores its
    /// argument, so it is not used).
    /// </summary>
    public Task<GenerateChunk> UnloadAsync(string model, CancellationToken ct) =>
        GenerateAsync(new GenerateOptions { Model = model, KeepAlive = KeepAlive.Unload }, null, ct);

    /// <summary>HEAD/GET on a URL outside the Ollama API (the model registry), with the same error handling.</summary>
    internal async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, TimeSpan timeout, CancellationToken ct) =>
        await OllamaTransport.SendAsync(Endpoint, request, HttpCompletionOption.ResponseHeadersRead, Options, timeout, null, ct).ConfigureAwait(false);

    private async Task<T> ReadAsync<T>(string? model, Func<CancellationToken, Task<T>> read, CancellationToken ct)
    {
        TimeSpan delay = Options.RetryDelay;
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                return await read(ct).ConfigureAwait(false);
            }
            catch (OllamaException ex) when (ex.IsTransient && ex.Kind != OllamaErrorKind.Timeout && attempt < Options.RetryCount && !ct.IsCancellationRequested)
            {
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(delay.Ticks * 2);
            }
        }
    }

    private async Task<T> SendJsonAsync<T>(HttpRequestMessage request, TimeSpan timeout, string? model, CancellationToken ct)
    {
        using HttpResponseMessage response = await OllamaTransport.SendAsync(
            Endpoint, request, HttpCompletionOption.ResponseContentRead, Options, timeout, model, ct).ConfigureAwait(false);
        try
        {
            using Stream body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            return await JsonSerializer.DeserializeAsync<T>(body, Json, ct).ConfigureAwait(false)
                ?? throw new JsonException("The answer was JSON null.");
        }
        catch (JsonException ex)
        {
            throw BadJson(request.RequestUri, model, ex);
        }
    }

    private async Task StreamAsync<T>(HttpRequestMessage request, string? model, TimeSpan idleTimeout, Func<T, bool> onLine, CancellationToken ct)
        where T : class
    {
        using HttpResponseMessage response = await OllamaTransport.SendAsync(
            Endpoint, request, HttpCompletionOption.ResponseHeadersRead, Options, idleTimeout, model, ct).ConfigureAwait(false);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(ct);
        // Where a stream ignores the read's token (.NET Framework), disposing the response unblocks a pending read.
        using CancellationTokenRegistration abort = idle.Token.Register(response.Dispose);
        try
        {
            using Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false);
            var reader = new NdjsonReader(stream);
            while (true)
            {
                idle.CancelAfter(idleTimeout);
                string? line = await reader.ReadLineAsync(idle.Token).ConfigureAwait(false);
                if (line is null)
                {
                    return;
                }

                if (line.Length == 0)
                {
                    continue;
                }

                T? item;
                try
                {
                    item = JsonSerializer.Deserialize<T>(line, Json);
                }
                catch (JsonException ex)
                {
                    throw BadJson(request.RequestUri, model, ex);
                }

                if (item is not null && onLine(item))
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException)
        {
            ct.ThrowIfCancellationRequested();
            if (idle.IsCancellationRequested)
            {
                throw OllamaTransport.TimedOut(Endpoint, idleTimeout, model);
            }

            throw OllamaTransport.FromNetworkFailure(Endpoint, ex, model) is { Kind: OllamaErrorKind.Unreachable } unreachable
                ? new OllamaException(OllamaErrorKind.ConnectionLost, Endpoint, unreachable.Message, model: model, inner: ex)
                : OllamaTransport.FromNetworkFailure(Endpoint, ex, model);
        }
    }

    private OllamaException StreamError(string? model, string error) => new(
        OllamaErrorKind.ServerError, Endpoint, $"Ollama at {Host} reported: {error}", error, 200, model);

    private OllamaException BadJson(Uri? path, string? model, JsonException ex) => new(
        OllamaErrorKind.InvalidResponse, Endpoint,
        $"Ollama at {Host} sent an answer to {path} that is not valid JSON ({ex.Message}).", model: model, inner: ex);

    private async Task<T> Guard<T>(Func<Task<T>> call, string? model = null)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw BadJson(null, model, ex);
        }
    }

    private async Task Guard(Func<Task> call, string? model = null)
    {
        try
        {
            await call().ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            throw BadJson(null, model, ex);
        }
    }

    private static StringContent JsonBody(JsonNode body) =>
        new(body.ToJsonString(), Encoding.UTF8, "application/json");

    /// <summary>OllamaSharp's client with its transport replaced by ours, so errors keep the server's text.</summary>
    private sealed class SharpClient : OllamaApiClient
    {
        private readonly OllamaClient _owner;

        public SharpClient(OllamaClient owner)
            : base(OllamaTransport.ClientFor(owner.Endpoint))
        {
            _owner = owner;
        }

        protected override Task<HttpResponseMessage> SendToOllamaAsync(
            HttpRequestMessage requestMessage, OllamaRequest? ollamaRequest, HttpCompletionOption completionOption, CancellationToken cancellationToken) =>
            OllamaTransport.SendAsync(_owner.Endpoint, requestMessage, completionOption, _owner.Options, _owner.Options.Timeout, null, cancellationToken);
    }
}

/// <summary>What to send with a /api/generate request.</summary>
public sealed class GenerateOptions
{
    public string Model { get; set; } = string.Empty;
    public string? Prompt { get; set; }
    public KeepAlive? KeepAlive { get; set; }
    public int? NumPredict { get; set; }
    public double? Temperature { get; set; }
    public int? Seed { get; set; }
    public int? NumCtx { get; set; }
    public bool Raw { get; set; }
    public bool? Think { get; set; }
}
