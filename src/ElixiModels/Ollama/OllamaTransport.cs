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

    /// <summary>
    /// Longest a whole streamed answer (a generate, a load) may take, however steadily its lines arrive; the idle
    /// limit (<see cref="LoadTimeout"/>) only bounds the wait for each line.
    /// </summary>
    public TimeSpan StreamDeadline { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Longest a whole download may take (pulls of large models over slow links take hours).</summary>
    public TimeSpan PullDeadline { get; set; } = TimeSpan.FromHours(48);

    /// <summary>
    /// A pull whose lines keep coming while its bytes do not advance (the same "completed" repeated) for this long
    /// ends with <see cref="OllamaErrorKind.Stalled"/>. Generous for a slow link; Ollama retries stalled parts itself.
    /// </summary>
    public TimeSpan StallTimeout { get; set; } = DefaultStallTimeout;

    /// <summary>The default of <see cref="StallTimeout"/>.</summary>
    public static readonly TimeSpan DefaultStallTimeout = TimeSpan.FromMinutes(5);

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
            // Ollama's Go client's rules: loopback never through a proxy, HTTP(S)_PROXY and NO_PROXY otherwise.
            UseProxy = true,
            Proxy = EnvironmentProxy.Instance,
            // Redirects are followed by SendAsync, and only on the same server: a request meant for one host never
            // reaches another (with the API key, or as a DELETE) while the output still names the first.
            AllowAutoRedirect = false,
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
        byte[]? body = request.Content is null ? null : await request.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        string Line() => $"{request.Method} {(request.RequestUri is { IsAbsoluteUri: true } abs ? abs : new Uri(endpoint, request.RequestUri!))}";
        for (int redirects = 0; ; redirects++)
        {
            watch.Restart();
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
                if (failure.Kind == OllamaErrorKind.TlsError && endpoint.Scheme == Uri.UriSchemeHttps
                    && await SpeaksPlainHttpAsync(endpoint, cancellationToken).ConfigureAwait(false))
                {
                    throw new OllamaException(OllamaErrorKind.PlainHttp, endpoint,
                        $"{OllamaEndpoint.Display(endpoint)} speaks plain HTTP, not HTTPS: the address starts with https:// but the server there answers without TLS.",
                        model: model, inner: ex);
                }

                throw failure;
            }

            if (options.Trace is { } trace)
            {
                long? bytes = response.Content.Headers.ContentLength;
                trace($"{Line()} -> {(int)response.StatusCode} {response.ReasonPhrase} in {watch.ElapsedMilliseconds} ms, "
                    + (bytes is { } b ? $"{b} bytes" : completion == HttpCompletionOption.ResponseHeadersRead ? "streamed" : "length not given"));
            }

            int status = (int)response.StatusCode;
            if (status is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            {
                break;
            }

            Uri from = response.RequestMessage?.RequestUri ?? new Uri(endpoint, request.RequestUri!);
            Uri to = location.IsAbsoluteUri ? location : new Uri(from, location);
            response.Dispose();
            if (!SameServer(from, to))
            {
                throw new OllamaException(OllamaErrorKind.CrossHostRedirect, endpoint,
                    $"{OllamaEndpoint.Display(endpoint)} redirected {request.Method} {from.AbsolutePath} to another server ({to.GetLeftPart(UriPartial.Authority)}); " +
                    "redirects to other hosts (or from https to http) are not followed.", status.ToString(System.Globalization.CultureInfo.InvariantCulture), status, model);
            }

            if (redirects >= 5)
            {
                throw new OllamaException(OllamaErrorKind.InvalidResponse, endpoint,
                    $"{OllamaEndpoint.Display(endpoint)} redirected {request.Method} {from.AbsolutePath} more than 5 times.", statusCode: status, model: model);
            }

            HttpRequestMessage next = Redirected(request, to, status, body);
            if (redirects > 0)
            {
                request.Dispose(); // one this loop made; the caller's own is the caller's to dispose
            }

            request = next;
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            string text;
            try
            {
                text = await ReadBoundedAsync(response.Content, 64 * 1024, timeoutCts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or HttpRequestException or ObjectDisposedException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                text = string.Empty;
            }

            throw FromStatus(endpoint, (int)response.StatusCode, response.Content.Headers.ContentType?.MediaType, text, model);
        }
    }

    /// <summary>At most <paramref name="maxBytes"/> of a body as text, read under <paramref name="ct"/> (a trickled body cannot hold the caller).</summary>
    internal static async Task<string> ReadBoundedAsync(HttpContent content, int maxBytes, CancellationToken ct)
    {
        using Stream stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        using CancellationTokenRegistration abort = ct.Register(stream.Dispose);
        var buffer = new byte[Math.Min(maxBytes, 16 * 1024)];
        using var text = new MemoryStream();
        while (text.Length < maxBytes)
        {
            int n = await stream.ReadAsync(buffer, 0, (int)Math.Min(buffer.Length, maxBytes - text.Length), ct).ConfigureAwait(false);
            if (n == 0)
            {
                break;
            }

            text.Write(buffer, 0, n);
        }

        return System.Text.Encoding.UTF8.GetString(text.GetBuffer(), 0, (int)text.Length);
    }

    /// <summary>
    /// The whole body, read under <paramref name="ct"/>; a body longer than <paramref name="maxBytes"/> is not
    /// buffered further but refused with <see cref="InvalidDataException"/>.
    /// </summary>
    internal static async Task<MemoryStream> ReadAllBoundedAsync(HttpContent content, long maxBytes, CancellationToken ct)
    {
        if (content.Headers.ContentLength > maxBytes)
        {
            throw new InvalidDataException($"the answer is {content.Headers.ContentLength} bytes long, more than the {maxBytes / (1024 * 1024)} MB accepted");
        }

        using Stream stream = await content.ReadAsStreamAsync().ConfigureAwait(false);
        using CancellationTokenRegistration abort = ct.Register(stream.Dispose);
        var buffer = new byte[16 * 1024];
        var all = new MemoryStream();
        while (true)
        {
            int n = await stream.ReadAsync(buffer, 0, buffer.Length, ct).ConfigureAwait(false);
            if (n == 0)
            {
                all.Position = 0;
                return all;
            }

            if (all.Length + n > maxBytes)
            {
                throw new InvalidDataException($"the answer is longer than the {maxBytes / (1024 * 1024)} MB accepted");
            }

            all.Write(buffer, 0, n);
        }
    }

    // The same host, on the same scheme and port, or upgraded from http to https (a proxy enforcing TLS); never a downgrade.
    private static bool SameServer(Uri a, Uri b) =>
        string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && ((string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase) && a.Port == b.Port)
            || (a.Scheme == Uri.UriSchemeHttp && b.Scheme == Uri.UriSchemeHttps));

    private static HttpRequestMessage Redirected(HttpRequestMessage original, Uri to, int status, byte[]? body)
    {
        bool toGet = status == 303 || (status is 301 or 302 && original.Method == HttpMethod.Post);
        var next = new HttpRequestMessage(toGet ? HttpMethod.Get : original.Method, to);
        foreach (var header in original.Headers)
        {
            next.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        if (!toGet && body is not null)
        {
            next.Content = new ByteArrayContent(body);
            foreach (var header in original.Content!.Headers)
            {
                next.Content.Headers.TryAddWithoutValidation(header.Key, header.Value);
            }
        }

        return next;
    }

    /// <summary>
    /// After a failed TLS handshake: whether the port answers a plain HTTP request, i.e. the address should be http://.
    /// One short, bounded probe; any failure means "no".
    /// </summary>
    private static async Task<bool> SpeaksPlainHttpAsync(Uri endpoint, CancellationToken ct)
    {
        try
        {
            using var probe = CancellationTokenSource.CreateLinkedTokenSource(ct);
            probe.CancelAfter(TimeSpan.FromSeconds(2));
            using var tcp = new TcpClient();
            using CancellationTokenRegistration abort = probe.Token.Register(tcp.Dispose);
            await tcp.ConnectAsync(endpoint.IdnHost.Trim('[', ']'), endpoint.Port).ConfigureAwait(false);
            NetworkStream stream = tcp.GetStream();
            byte[] hello = System.Text.Encoding.ASCII.GetBytes($"HEAD / HTTP/1.0\r\nHost: {endpoint.Authority}\r\n\r\n");
            await stream.WriteAsync(hello, 0, hello.Length, probe.Token).ConfigureAwait(false);
            var answer = new byte[5];
            int read = 0;
            while (read < answer.Length)
            {
                int n = await stream.ReadAsync(answer, read, answer.Length - read, probe.Token).ConfigureAwait(false);
                if (n == 0)
                {
                    break;
                }

                read += n;
            }

            return read == 5 && System.Text.Encoding.ASCII.GetString(answer) == "HTTP/";
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException or InvalidOperationException)
        {
            return false;
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

        if (EnvironmentProxy.Instance.ProxyFor(endpoint) is { } proxy && !(root is IOException && root is not SocketException))
        {
            // The request went to the proxy: a failure to connect is the proxy's, so name it.
            return new OllamaException(OllamaErrorKind.Unreachable, endpoint,
                $"Cannot reach Ollama at {host} through the proxy {EnvironmentProxy.Display(proxy.Proxy)} (from {proxy.Source}): {root.Message}. " +
                $"Check the proxy, or add '{endpoint.Host}' to NO_PROXY to connect directly.", model: model, inner: ex);
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

        if (status == 407 && EnvironmentProxy.Instance.ProxyFor(endpoint) is { } proxy)
        {
            return new OllamaException(OllamaErrorKind.Unauthorized, endpoint,
                $"The proxy {EnvironmentProxy.Display(proxy.Proxy)} (from {proxy.Source}) refused the request to {host} (HTTP 407, proxy authentication required). " +
                $"Put the proxy's user and password in {proxy.Source} (http://user:password@proxy:port), or add '{endpoint.Host}' to NO_PROXY.",
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
