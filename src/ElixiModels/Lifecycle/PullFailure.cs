using System.Linq;

namespace ElixiModels.Lifecycle;

/// <summary>Why the server could not download a model, read from the error text it sent.</summary>
public enum PullFailureKind
{
    /// <summary>Anything else; the server's text says what.</summary>
    Other,
    /// <summary>The registry has no such model or tag.</summary>
    UnknownModel,
    /// <summary>The server cannot reach the registry (no internet, DNS, proxy, TLS).</summary>
    RegistryUnreachable,
    /// <summary>The server's disk is full.</summary>
    DiskFull,
}

/// <summary>Classifies the {"error": …} texts Ollama sends while pulling.</summary>
public static class PullFailure
{
    private static readonly string[] UnknownModelTexts =
    {
        "file does not exist", "manifest unknown", "model not found", "not found", "pull model manifest: 404",
    };

    private static readonly string[] NetworkTexts =
    {
        "dial tcp", "no such host", "i/o timeout", "connection refused", "network is unreachable", "tls handshake",
        "context deadline exceeded", "connection reset", "temporary failure in name resolution", "server misbehaving",
        "proxyconnect", "certificate", "max retries exceeded",
    };

    private static readonly string[] DiskTexts = { "no space left on device", "disk full", "not enough space", "insufficient space" };

    public static PullFailureKind Classify(string? serverText)
    {
        string text = (serverText ?? string.Empty).ToLowerInvariant();
        if (text.Length == 0)
        {
            return PullFailureKind.Other;
        }

        if (DiskTexts.Any(text.Contains))
        {
            return PullFailureKind.DiskFull;
        }

        if (NetworkTexts.Any(text.Contains))
        {
            return PullFailureKind.RegistryUnreachable;
        }

        return UnknownModelTexts.Any(text.Contains) ? PullFailureKind.UnknownModel : PullFailureKind.Other;
    }
}
