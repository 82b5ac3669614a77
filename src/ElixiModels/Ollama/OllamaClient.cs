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
using ElixiModels.Models;
using OllamaSharp;
using OllamaSharp.Models;

namespace ElixiModels.Ollama;

/// <summary>
/// The module's access to one Ollama server. Version and delete go through OllamaSharp; listings, /api/show and
/// the NDJSON streams (pull, generate) are read here because OllamaSharp 5.5.2 drops context_length and capabilities
/// detail, ignores {"error"} lines inside generate streams, cannot time the first token, and its extra mapping layer
/// costs listing speed. Every failure is an
/// <see cref="OllamaException"/>; idempotent reads are retried with backoff, state-changing requests never are.
/// </summary>
public sealed class OllamaClient
{
    private static readonly JsonSerializerOptions Json = new();
    private SharpClient? _sharp;

    public OllamaClient(Uri endpoint, OllamaClientOptions? options = null)
    {
        Endpoint = endpoint ?? throw new ArgumentNullException(nameof(endpoint));
        Options = options ?? new OllamaClientOptions();
    }

    /// <summary>The server's base address.</summary>
    public Uri Endpoint { get; }

    /// <summary>Timeouts, retries and credentials.</summary>
    public OllamaClientOptions Options { get; }

    // Created on first use: a listing never needs OllamaSharp, so a scheduled task's first call does not load it.
    private SharpClient Sharp => _sharp ??= new SharpClient(this);

    /// <summary>Canonical text of <see cref="Endpoint"/>.</summary>
    public string Host => OllamaEndpoint.Display(Endpoint);

    /// <summary>GET /api/version.</summary>
    public Task<string> GetVersionAsync(CancellationToken ct) =>
        ReadAsync(null, async token => await Guard(() => Sharp.GetVersionAsync(token)).ConfigureAwait(false), ct);

    /// <summary>GET /api/tags. Read straight into the module's own shape: it is the hot path of every listing.</summary>
    public Task<IReadOnlyList<WireModel>> ListInstalledAsync(CancellationToken ct) => ReadAsync(null, async token =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/tags");
        WireModelList list = await SendJsonAsync<WireModelList>(request, Options.Timeout, null, token).ConfigureAwait(false);
        return (IReadOnlyList<WireModel>)CheckEntries(list.Models, "api/tags", m => m.Name);
    }, ct);

    /// <summary>
    /// GET /api/ps, one entry per model name: Ollama lists a name twice while the runner of a replaced (re-pulled or
    /// re-created) model waits to expire next to the new one; the first entry, the one with the most time left, stays.
    /// </summary>
    public Task<IReadOnlyList<WireRunningModel>> ListRunningAsync(CancellationToken ct) => ReadAsync(null, async token =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "api/ps");
        WireRunningList list = await SendJsonAsync<WireRunningList>(request, Options.Timeout, null, token).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return (IReadOnlyList<WireRunningModel>)CheckEntries(list.Models, "api/ps", m => m.Name)
            .Where(m => seen.Add(ModelName.Normalize(m.Name)))
            .ToList();
    }, ct);

    /// <summary>POST /api/show.</summary>
    public Task<WireShow> ShowAsync(string model, CancellationToken ct) => ReadAsync(model, async token =>
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/show")
        {
            Content = JsonBody(new JsonObject { ["model"] = model }),
        };
        WireShow show = await SendJsonAsync<WireShow>(request, Options.Timeout, model, token).ConfigureAwait(false);
        try
        {
            _ = global::ElixiModels.Models.ModelDetails.FromShow(show, string.Empty);
        }
        catch (InvalidDataException ex)
        {
            throw new OllamaException(OllamaErrorKind.InvalidResponse, Endpoint,
                $"Ollama at {Host} described '{model}' with a number out of range: {ex.Message}.", model: model, inner: ex);
        }

        return show;
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
        Guard(() => Sharp.DeleteModelAsync(new DeleteModelRequest { Model = model }, ct), model);

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
        // Progress is a step not seen before (a status or layer) or more bytes of a layer; the same line repeated is not.
        var seen = new Dictionary<string, long>(StringComparer.Ordinal);
        await StreamAsync<PullUpdate>(request, model, Options.LoadTimeout, Options.PullDeadline, line =>
        {
            if (line.Error is { } error)
            {
                throw StreamError(model, error);
            }

            success |= string.Equals(line.Status, "success", StringComparison.OrdinalIgnoreCase);
            onUpdate(line);
            return success;
        }, ct, line =>
        {
            string key = (line.Status ?? string.Empty) + "|" + (line.Digest ?? string.Empty);
            long completed = line.Completed ?? 0;
            if (line.Total is > 0 && completed > line.Total)
            {
                completed = line.Total.Value;
            }

            if (seen.TryGetValue(key, out long before) && completed <= before)
            {
                return false;
            }

            seen[key] = completed;
            return true;
        }).ConfigureAwait(false);

        if (!success)
        {
            throw new OllamaException(OllamaErrorKind.ConnectionLost, Endpoint,
                $"The download of '{model}' from {Host} stopped before it finished; run the same command again to resume.", model: model);
        }
    }

    /// <summary>
    /// POST /api/generate, streaming. <paramref name="onChunk"/> runs on every line as it arrives (so a caller can
    /// time the first token); returns the final line with the server's timings. A stream that ends without its done
    /// line after token lines returns an <see cref="GenerateChunk.Aborted"/> chunk (DoneReason "aborted", no server
    /// timings); one with no token lines, or a zero-valued answer, throws <see cref="OllamaErrorKind.NoOutput"/>; a
    /// dropped connection throws <see cref="OllamaErrorKind.ConnectionLost"/>. With num_predict set, the client stops
    /// reading a stream that runs past it by a margin (and returns it as aborted), so a run is bounded.
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
        int tokens = 0;
        // A stream that never sends its done line must still end: past num_predict plus a margin the client stops.
        int? cap = options.NumPredict is int predict && predict > 0 ? predict + Math.Max(8, predict / 10) : null;
        await StreamAsync<GenerateChunk>(request, options.Model, Options.LoadTimeout, Options.StreamDeadline, chunk =>
        {
            if (chunk.Error is { } error)
            {
                throw StreamError(options.Model, error);
            }

            if (chunk.IsZeroValue)
            {
                throw NoOutput(options.Model);
            }

            onChunk?.Invoke(chunk);
            last = chunk;
            if (!chunk.Done)
            {
                tokens++;
                return tokens >= cap;
            }

            return true;
        }, ct).ConfigureAwait(false);

        if (last is { Done: true })
        {
            last.StreamedTokens = tokens;
            return last;
        }

        if (tokens == 0)
        {
            throw NoOutput(options.Model);
        }

        // Ollama ended the answer without its done line (token-repeat limit, or 0.30+ output that is not valid
        // UTF-8), or the client stopped a stream that ran past num_predict: the tokens so far are the answer.
        return new GenerateChunk
        {
            Model = last?.Model ?? options.Model,
            CreatedAt = last?.CreatedAt,
            Done = false,
            DoneReason = "aborted",
            Aborted = true,
            StreamedTokens = tokens,
        };
    }

    private OllamaException NoOutput(string model) => new(
        OllamaErrorKind.NoOutput, Endpoint,
        $"Ollama at {Host} answered '{model}' with no output and no final line: the server could not return the model's output (Ollama 0.30 and later drop an answer that is not valid UTF-8).",
        model: model);

    /// <summary>Loads a model into memory (an empty generate) and keeps it for <paramref name="keepAlive"/>.</summary>
    public Task<GenerateChunk> LoadAsync(string model, KeepAlive? keepAlive, CancellationToken ct, int? numCtx = null) =>
        GenerateAsync(new GenerateOptions { Model = model, KeepAlive = keepAlive, NumCtx = numCtx }, NoGeneration(model), ct);

    // A load or unload has no prompt, so Ollama answers with one "done" line; a server that generates instead is
    // not followed for ever.
    private Action<GenerateChunk> NoGeneration(string model)
    {
        int lines = 0;
        return chunk =>
        {
            if (!chunk.Done && ++lines > MaxLoadLines)
            {
                throw new OllamaException(OllamaErrorKind.InvalidResponse, Endpoint,
                    $"Ollama at {Host} answered a request that only loads or unloads '{model}' with more than {MaxLoadLines} lines of generated text.", model: model);
            }
        };
    }

    private const int MaxLoadLines = 16;

    /// <summary>
    /// Loads an embedding-only model, which cannot generate: an /api/embed with an empty input and the keep-alive, the
    /// way Ollama loads such a model without computing anything. The answer carries load_duration when reported.
    /// </summary>
    public Task<GenerateChunk> LoadEmbeddingModelAsync(string model, KeepAlive? keepAlive, CancellationToken ct) => ReadAsync(model, async token =>
    {
        var body = new JsonObject { ["model"] = model, ["input"] = string.Empty };
        if (keepAlive is { } k)
        {
            body["keep_alive"] = k.ToWireSeconds();
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "api/embed") { Content = JsonBody(body) };
        GenerateChunk answer = await SendJsonAsync<GenerateChunk>(request, Options.LoadTimeout, model, token).ConfigureAwait(false);
        answer.Done = true;
        return answer;
    }, ct);

    /// <summary>
    /// Unloads a model: an empty generate with keep_alive 0 (OllamaSharp's RequestModelUnloadAsync ignores its
    /// argument, so it is not used).
    /// </summary>
    public Task<GenerateChunk> UnloadAsync(string model, CancellationToken ct) =>
        GenerateAsync(new GenerateOptions { Model = model, KeepAlive = KeepAlive.Unload }, NoGeneration(model), ct);

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

    /// <summary>Longest non-streamed answer accepted (a listing of 10,000 models is about 5 MB).</summary>
    internal const long MaxJsonBytes = 64L * 1024 * 1024;

    private async Task<T> SendJsonAsync<T>(HttpRequestMessage request, TimeSpan timeout, string? model, CancellationToken ct)
    {
        // The timeout covers the headers and the whole body; a body that trickles or never ends cannot hold the caller.
        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeoutCts.CancelAfter(timeout);
        using HttpResponseMessage response = await OllamaTransport.SendAsync(
            Endpoint, request, HttpCompletionOption.ResponseHeadersRead, Options, timeout, model, ct).ConfigureAwait(false);
        MemoryStream body;
        try
        {
            body = await OllamaTransport.ReadAllBoundedAsync(response.Content, MaxJsonBytes, timeoutCts.Token).ConfigureAwait(false);
        }
        catch (InvalidDataException ex)
        {
            throw new OllamaException(OllamaErrorKind.InvalidResponse, Endpoint,
                $"Ollama at {Host} sent an answer to {request.RequestUri} that is too large: {ex.Message}.", model: model, inner: ex);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException)
        {
            ct.ThrowIfCancellationRequested();
            if (timeoutCts.IsCancellationRequested)
            {
                throw OllamaTransport.TimedOut(Endpoint, timeout, model);
            }

            OllamaException failure = OllamaTransport.FromNetworkFailure(Endpoint, ex, model);
            throw failure.Kind == OllamaErrorKind.Unreachable
                ? new OllamaException(OllamaErrorKind.ConnectionLost, Endpoint, failure.Message, model: model, inner: ex)
                : failure;
        }

        using (body)
        {
            try
            {
                return JsonSerializer.Deserialize<T>(body.GetBuffer().AsSpan(0, (int)body.Length), Json)
                    ?? throw new JsonException("The answer was JSON null.");
            }
            catch (JsonException ex)
            {
                throw BadJson(request.RequestUri, model, ex);
            }
        }
    }

    private async Task StreamAsync<T>(HttpRequestMessage request, string? model, TimeSpan idleTimeout, TimeSpan deadline, Func<T, bool> onLine,
        CancellationToken ct, Func<T, bool>? advanced = null)
        where T : class
    {
        // Three bounds: each line within the idle limit, the whole answer within the deadline, and (for pulls) progress
        // within the stall limit however many lines arrive.
        using var overall = CancellationTokenSource.CreateLinkedTokenSource(ct);
        overall.CancelAfter(deadline);
        using var stall = new CancellationTokenSource();
        TimeSpan stallLimit = Options.StallTimeout;
        if (advanced is not null)
        {
            stall.CancelAfter(stallLimit);
        }

        using HttpResponseMessage response = await OllamaTransport.SendAsync(
            Endpoint, request, HttpCompletionOption.ResponseHeadersRead, Options, idleTimeout, model, ct).ConfigureAwait(false);
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(overall.Token, stall.Token);
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

                if (item is null)
                {
                    continue;
                }

                if (advanced is not null && advanced(item) && !stall.IsCancellationRequested)
                {
                    stall.CancelAfter(stallLimit);
                }

                if (onLine(item))
                {
                    return;
                }

                if (stall.IsCancellationRequested || overall.IsCancellationRequested)
                {
                    throw new OperationCanceledException(idle.Token);
                }
            }
        }
        catch (InvalidDataException ex)
        {
            throw new OllamaException(OllamaErrorKind.InvalidResponse, Endpoint,
                $"Ollama at {Host} sent an answer to {request.RequestUri} that is not NDJSON: {ex.Message}.", model: model, inner: ex);
        }
        catch (Exception ex) when (ex is IOException or ObjectDisposedException or HttpRequestException or OperationCanceledException)
        {
            ct.ThrowIfCancellationRequested();
            if (stall.IsCancellationRequested)
            {
                throw new OllamaException(OllamaErrorKind.Stalled, Endpoint,
                    $"The download of '{model}' from {Host} stalled: no progress for {ElixiModels.Models.Units.Duration(stallLimit)} while the server kept reporting the same state.",
                    model: model, inner: ex);
            }

            if (overall.IsCancellationRequested)
            {
                throw new OllamaException(OllamaErrorKind.Timeout, Endpoint,
                    $"The answer from Ollama at {Host} to {request.RequestUri} was still streaming after {ElixiModels.Models.Units.Duration(deadline)}, the longest it may take.",
                    model: model, inner: ex);
            }

            if (idle.IsCancellationRequested)
            {
                throw OllamaTransport.TimedOut(Endpoint, idleTimeout, model);
            }

            throw OllamaTransport.FromNetworkFailure(Endpoint, ex, model) is { Kind: OllamaErrorKind.Unreachable } unreachable
                ? new OllamaException(OllamaErrorKind.ConnectionLost, Endpoint, unreachable.Message, model: model, inner: ex)
                : OllamaTransport.FromNetworkFailure(Endpoint, ex, model);
        }
    }

    // A listing with a null entry or an entry without a name is broken; nothing downstream should meet either.
    private List<T> CheckEntries<T>(List<T>? entries, string path, Func<T, string?> name)
        where T : class
    {
        entries ??= new List<T>();
        for (int i = 0; i < entries.Count; i++)
        {
            string? problem = entries[i] is null ? "is null" : string.IsNullOrWhiteSpace(name(entries[i])) ? "has no name" : null;
            if (problem is not null)
            {
                throw new OllamaException(OllamaErrorKind.InvalidResponse, Endpoint,
                    $"Ollama at {Host} sent a list of models on /{path} whose entry {i + 1} of {entries.Count} {problem}.");
            }
        }

        return entries;
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
