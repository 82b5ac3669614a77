using System;
using System.Collections.Generic;
using System.Management.Automation;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Cmdlets;

/// <summary>Builds the ErrorRecords every cmdlet emits: stable ids, the right category, the server's text, advice.</summary>
internal static class OllamaErrors
{
    internal static ErrorRecord From(Exception exception, object? target)
    {
        exception = Unwrap(exception);
        return exception switch
        {
            OllamaException ex => FromOllama(ex, target),
            System.IO.InvalidDataException => Build(exception, "OllamaInvalidResponse", ErrorCategory.InvalidData, target,
                "The server's answer was malformed or out of range. Run the command again; if it persists, check the server (or the proxy in front of it)."),
            ArgumentException or FormatException => Build(exception, "InvalidArgument", ErrorCategory.InvalidArgument, target, null),
            TimeoutException => Build(exception, "OllamaTimeout", ErrorCategory.OperationTimeout, target, "Increase -TimeoutSec, or check that the server is not overloaded."),
            _ => Build(new InvalidOperationException(exception.Message, exception), "UnexpectedError", ErrorCategory.NotSpecified, target, null),
        };
    }

    internal static ErrorRecord Build(Exception exception, string id, ErrorCategory category, object? target, string? recommendedAction, string? message = null)
    {
        var record = new ErrorRecord(exception, id, category, target);
        if (recommendedAction is not null || message is not null)
        {
            record.ErrorDetails = new ErrorDetails(message ?? exception.Message) { RecommendedAction = recommendedAction };
        }

        return record;
    }

    /// <summary>A name Ollama would reject (empty, path-like, malformed, or a broken wildcard): InvalidModelName.</summary>
    internal static ErrorRecord InvalidModelName(string? text, string problem, string? recommendedAction = null) =>
        Build(new ArgumentException(problem), "InvalidModelName", ErrorCategory.InvalidArgument, text,
            recommendedAction ?? "Use name[:tag] with optional wildcards, e.g. llama3.2:3b or qwen*; Get-OllamaModel lists installed models, Get-OllamaModel -Available downloadable ones.");

    /// <summary>A name no installed model on <paramref name="host"/> matches: ModelNotFound, with similar names.</summary>
    internal static ErrorRecord ModelNotInstalled(string name, string host, IEnumerable<string> known, string? recommendedAction = null)
    {
        IReadOnlyList<string> similar = NameSuggestions.Similar(name, known);
        string hint = similar.Count > 0 ? $" Did you mean: {string.Join(", ", similar)}?" : string.Empty;
        var ex = new ItemNotFoundException($"No model named '{name}' is installed on {host}.{hint}");
        return Build(ex, "ModelNotFound", ErrorCategory.ObjectNotFound, name,
            recommendedAction ?? $"List installed models with Get-OllamaModel, or install it with: Install-OllamaModel -Name '{name}'");
    }

    /// <summary>A literal name that means several installed models where one is needed: AmbiguousModelName.</summary>
    internal static ErrorRecord AmbiguousModelName(string name, string host, IEnumerable<string> matches, string consequence, string recommendedAction) =>
        Build(new ArgumentException($"'{name}' names several models installed on {host}: {string.Join(", ", matches)}; {consequence}"),
            "AmbiguousModelName", ErrorCategory.InvalidArgument, name, recommendedAction);

    private static ErrorRecord FromOllama(OllamaException ex, object? target)
    {
        string host = OllamaEndpoint.Display(ex.Endpoint);
        target ??= (object?)ex.Model ?? host;
        return ex.Kind switch
        {
            OllamaErrorKind.Unreachable => Build(ex, "OllamaUnreachable", ErrorCategory.ConnectionError, target,
                $"Start Ollama ('ollama serve' or the Ollama app), or point -Uri or $env:OLLAMA_HOST at the server you meant (asked: {host})."),
            OllamaErrorKind.Timeout => Build(ex, "OllamaTimeout", ErrorCategory.OperationTimeout, target,
                "Increase -TimeoutSec (a cold load of a large model can take minutes), or check the server's load."),
            OllamaErrorKind.ConnectionLost => Build(ex, "OllamaConnectionLost", ErrorCategory.ConnectionError, target,
                "The server closed the connection mid-answer (restarted or crashed?). Run the command again."),
            OllamaErrorKind.ModelNotFound => Build(ex, "ModelNotFound", ErrorCategory.ObjectNotFound, target,
                ex.Model is null
                    ? "List installed models with Get-OllamaModel."
                    : $"List installed models with Get-OllamaModel, or install this one with: Install-OllamaModel -Name '{ex.Model}'"),
            OllamaErrorKind.InvalidRequest => Build(ex, "OllamaBadRequest", ErrorCategory.InvalidArgument, target,
                "Check the parameters; the server's message above says what it rejected."),
            OllamaErrorKind.Busy => Build(ex, "OllamaBusy", ErrorCategory.ResourceBusy, target,
                "The server's queue is full. Try again shortly, or raise OLLAMA_MAX_QUEUE / OLLAMA_NUM_PARALLEL on the server."),
            OllamaErrorKind.Unauthorized => Build(ex, "OllamaUnauthorized", ErrorCategory.PermissionDenied, target,
                "Set $env:OLLAMA_API_KEY to a token the server or its proxy accepts."),
            OllamaErrorKind.NotOllama => Build(ex, "NotAnOllamaServer", ErrorCategory.InvalidResult, target,
                $"Check that {host} is an Ollama server (GET / answers 'Ollama is running') and that it is up to date."),
            OllamaErrorKind.TlsError => Build(ex, "OllamaTlsError", ErrorCategory.SecurityError, target,
                $"The server's certificate is not trusted by this machine. Install its CA certificate, or use the right host name; certificate checks are never bypassed."),
            OllamaErrorKind.Stalled => Build(ex, "PullStalled", ErrorCategory.OperationTimeout, target,
                "The download stopped advancing. Check the server's connection to the registry, then run the same command again: it resumes where it stopped. Raise -StallTimeout for a very slow link."),
            OllamaErrorKind.CrossHostRedirect => Build(ex, "OllamaCrossHostRedirect", ErrorCategory.SecurityError, target,
                "If the other server is the one you mean, pass it with -Uri; otherwise fix the proxy or server that redirects. Redirects to another host are never followed."),
            OllamaErrorKind.PlainHttp => Build(ex, "OllamaPlainHttp", ErrorCategory.ProtocolError, target,
                $"Use http:// instead of https:// for {host} (e.g. -Uri http://{ex.Endpoint.Authority}), or put a TLS proxy in front of the server."),
            OllamaErrorKind.InvalidResponse => Build(ex, "OllamaInvalidResponse", ErrorCategory.InvalidData, target,
                "The server's answer was malformed or cut short. Run the command again; if it persists, check the server log."),
            OllamaErrorKind.NoOutput => Build(ex, "OllamaNoOutput", ErrorCategory.InvalidResult, target,
                "The server answered but could not return the model's output (Ollama 0.30 and later drop an answer that is not valid UTF-8, which small models often produce). Try another prompt or seed, or another model; the Ollama server log shows the runner's error."),
            _ => Build(ex, "OllamaServerError", ErrorCategory.InvalidResult, target,
                "The server's message above says what failed; check the Ollama server log for details."),
        };
    }

    private static Exception Unwrap(Exception ex)
    {
        while (ex is AggregateException { InnerExceptions.Count: 1 } agg)
        {
            ex = agg.InnerException!;
        }

        return ex;
    }
}
