using System;

namespace ElixiModels.Ollama;

/// <summary>What went wrong talking to an Ollama server; drives the error id, category and advice shown to users.</summary>
public enum OllamaErrorKind
{
    /// <summary>Nothing answered at the address (refused, unknown host, network down).</summary>
    Unreachable,
    /// <summary>The server did not answer within the timeout.</summary>
    Timeout,
    /// <summary>The connection dropped mid-response.</summary>
    ConnectionLost,
    /// <summary>The model does not exist on the server (HTTP 404).</summary>
    ModelNotFound,
    /// <summary>The server rejected the request (HTTP 400).</summary>
    InvalidRequest,
    /// <summary>The server is busy (HTTP 503, queue full).</summary>
    Busy,
    /// <summary>The server refused credentials (HTTP 401/403).</summary>
    Unauthorized,
    /// <summary>The server failed (HTTP 5xx) or sent an error inside a stream.</summary>
    ServerError,
    /// <summary>The server's answer could not be understood (malformed JSON, truncated stream).</summary>
    InvalidResponse,
    /// <summary>The route does not exist (HTTP 404 text): not an Ollama server, or too old.</summary>
    NotOllama,
    /// <summary>The TLS handshake failed (untrusted or invalid certificate); never bypassed, never retried.</summary>
    TlsError,
    /// <summary>
    /// HTTP 200 with no output and no final line, or a zero-valued answer: the server could not return the model's
    /// output (Ollama 0.30+ drops an answer that is not valid UTF-8).
    /// </summary>
    NoOutput,
    /// <summary>A streamed download kept sending lines but its bytes stopped advancing for the stall limit.</summary>
    Stalled,
    /// <summary>The server redirected the request to another host; such redirects are never followed.</summary>
    CrossHostRedirect,
    /// <summary>An https:// address whose server answers in plain HTTP.</summary>
    PlainHttp,
}

/// <summary>A failure talking to Ollama, carrying the server's own error text when it sent one.</summary>
public sealed class OllamaException : Exception
{
    public OllamaException(OllamaErrorKind kind, Uri endpoint, string message, string? serverMessage = null, int? statusCode = null, string? model = null, Exception? inner = null)
        : base(message, inner)
    {
        Kind = kind;
        Endpoint = endpoint;
        ServerMessage = serverMessage;
        StatusCode = statusCode;
        Model = model;
    }

    /// <summary>The class of failure.</summary>
    public OllamaErrorKind Kind { get; }

    /// <summary>The server that was asked.</summary>
    public Uri Endpoint { get; }

    /// <summary>The server's own error text (the "error" field), if it sent one.</summary>
    public string? ServerMessage { get; }

    /// <summary>The HTTP status, if a response arrived.</summary>
    public int? StatusCode { get; }

    /// <summary>The model concerned, if any.</summary>
    public string? Model { get; }

    /// <summary>Whether repeating the same read could succeed (connection faults, 5xx, timeouts).</summary>
    public bool IsTransient => Kind is OllamaErrorKind.Unreachable or OllamaErrorKind.ConnectionLost or OllamaErrorKind.Busy
        or OllamaErrorKind.Timeout or OllamaErrorKind.InvalidResponse
        || (Kind == OllamaErrorKind.ServerError && StatusCode is >= 500);
}
