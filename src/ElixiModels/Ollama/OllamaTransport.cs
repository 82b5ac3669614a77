using System;
using System.Collections.Concurrent;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Ollama;

/// <summary>Settings for talking to one Ollama server.</summary>
public sealed class OllamaClientOptions
{
    /// <summary>Longest wait for a non-streaming answer, and for each line of a stream.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for a model load or a stream line; cold loads of large models take minutes.</summary>
    public TimeSpan LoadTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How often an idempotent read is retried after a transient failure.</summary>
    public int RetryCount { get; set; } = 2;

    /// <summary>First backoff delay; doubles per retry.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Bearer token for a proxied or remote Ollama (defaults to OLLAMA_API_KEY). Never logged.</summary>
    public string? ApiKey { get; set; } = Environment.GetEnvironmentVariable("OLLAMA_API_KEY");

    /// <summary>
    /// Told about every request when set (-Debug): method, URL, status, elapsed ms and response bytes. Never headers
    /// (the API key) or bodies (prompts).
    /// </summary>
    public Action<string>? Trace { get; set; }
}

/// <summary>
/// Sends requests to an Ollama server through one shared HttpClient per server, turning every failure into an
/// <see cref="OllamaException"/> that carries the server's own error text.
/// </summary>
internal static class OllamaTransport
{
    private static readonly ConcurrentDictionary<string, HttpClient> Clients = new(StringComparer.OrdinalIgnoreCase);

    internal static HttpClient ClientFor(Uri endpoint) => Clients.GetOrAdd(OllamaEndpoint.Display(endpoint), _ =>
    {
        var handler = new HttpClientHandler
        {
            AutomaticDecompression = DecompressionMethods.GZip | DecompressionMethods.Deflate,
            UseProxy = true,
        };
        // Timeouts are applied per request so that model loads and long pulls are not cut by a client-wide limit.
        return new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = endpoint,
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
    });

    /// <summary>Sends a request; on a non-success status reads the body and throws with the server's text.</summary>
    internal static async Task<HttpResponseMessage> SendAsync(
        Uri endpoint, HttpRequestMessage request, HttpCompletionOption completion, OllamaClientOptions options,
        TimeSpan timeout, string? model, CancellationToken cancellationToken)
    {
        if (!string.IsNullOrEmpty(options.ApiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        }

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        HttpResponseMessage response;
        var watch = System.Diagnostics.Stopwatch.StartNew();
        string Line() => $"{request.Method} {(request.RequestUri is { IsAbsoluteUri: true } abs ? abs : new Uri(endpoint, request.RequestUri!))}";
        try
        {
            response = await ClientFor(endpoint).SendAsync(request, completion, timeoutCts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            options.Trace?.Invoke($"{Line()} -> no answer within {timeout.TotalSeconds:0.#} s");
            throw TimedOut(endpoint, timeout, model);
        }
        catch (HttpRequestException ex)
        {
            OllamaException failure = FromNetworkFailure(endpoint, ex, model);
            options.Trace?.Invoke($"{Line()} -> {failure.Kind} after {watch.ElapsedMilliseconds} ms");
            throw failure;
        }

        if (options.Trace is { } trace)
        {
            long? bytes = response.Content.Headers.ContentLength;
            trace($"{Line()} -> {(int)response.StatusCode} {response.ReasonPhrase} in {watch.ElapsedMilliseconds} ms, "
                + (bytes is { } b ? $"{b} bytes" : completion == HttpCompletionOption.ResponseHeadersRead ? "streamed" : "length not given"));
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string body;
            try
            {
                body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException)
            {
                body = string.Empty;
            }

            throw FromStatus(endpoint, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, model);
        }
    }

    internal static OllamaException TimedOut(Uri endpoint, TimeSpan timeout, string? model) => new(
        OllamaErrorKind.Timeout, endpoint,
        $"Ollama at {OllamaEndpoint.Display(endpoint)} did not answer within {timeout.TotalSeconds:0.#} s.",
        model: model);

    internal static OllamaException FromNetworkFailure(Uri endpoint, Exception ex, string? model)
    {
        string host = OllamaEndpoint.Display(endpoint);
        Exception root = ex;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        if (root is AuthenticationException || ex.Message.IndexOf("SSL", StringComparison.OrdinalIgnoreCase) >= 0)
        {
            return new OllamaException(OllamaErrorKind.TlsError, endpoint,
                $"The TLS connection to {host} failed: {root.Message}", model: model, inner: ex);
        }

        bool dropped = root is IOException && root is not SocketException && root.GetType().Name != "SocketException";
        if (dropped || (root is SocketException se && se.SocketErrorCode is SocketError.ConnectionReset or SocketError.ConnectionAborted))
        {
            return new OllamaException(OllamaErrorKind.ConnectionLost, endpoint,
                $"The connection to Ollama at {host} was closed before the answer was complete: {root.Message}", model: model, inner: ex);
        }

        return new OllamaException(OllamaErrorKind.Unreachable, endpoint,
            $"Cannot reach Ollama at {host}: {root.Message}", model: model, inner: ex);
    }

    internal static OllamaException FromStatus(Uri endpoint, int status, string? mediaType, string body, string? model)
    {
        string host = OllamaEndpoint.Display(endpoint);
        string? serverText = TryReadError(body);
        if (serverText is null && status == 404)
        {
            return new OllamaException(OllamaErrorKind.NotOllama, endpoint,
                $"{host} answered 404 ({Trim(body)}): it is not an Ollama server, or its Ollama is too old for this request.",
                Trim(body), status, model);
        }

        OllamaErrorKind kind = status switch
        {
            404 => OllamaErrorKind.ModelNotFound,
            400 => OllamaErrorKind.InvalidRequest,
            401 or 403 => OllamaErrorKind.Unauthorized,
            429 or 503 => OllamaErrorKind.Busy,
            _ => OllamaErrorKind.ServerError,
        };
        string text = serverText ?? Trim(body);
        string message = string.IsNullOrEmpty(text)
            ? $"Ollama at {host} answered HTTP {status}."
            : $"Ollama at {host} answered HTTP {status}: {text}";
        return new OllamaException(kind, endpoint, message, serverText ?? (text.Length > 0 ? text : null), status, model);
    }

    /// <summary>The "error" field of an Ollama error body, if the text is one.</summary>
    internal static string? TryReadError(string body)
    {
        if (string.IsNullOrWhiteSpace(body) || body.TrimStart()[0] != '{')
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out JsonElement e))
            {
                // The OpenAI-compatible endpoints nest it: {"error":{"message":...}}.
                return e.ValueKind switch
                {
                    JsonValueKind.String => e.GetString(),
                    JsonValueKind.Object when e.TryGetProperty("message", out JsonElement m) => m.GetString(),
                    _ => e.ToString(),
                };
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    private static string Trim(string body)
    {
        string t = (body ?? string.Empty).Trim();
        return t.Length > 300 ? t.Substring(0, 300) + "…" : t;
    }
}
