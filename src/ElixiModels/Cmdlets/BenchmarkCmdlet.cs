using System;
using System.Collections.Generic;
using System.Management.Automation;
using ElixiModels.Arguments;
using ElixiModels.History;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Cmdlets;

/// <summary>
/// Base of the cmdlets that read or delete benchmark results (the session's and the history's): -Name and -Uri filter
/// the results, a piped object's Name and Host pick its results; no server is asked.
/// </summary>
public abstract class BenchmarkCmdlet : ElixiCmdlet
{
    private HashSet<string>? _servers;

    /// <summary>Only the results of these models; wildcards allowed. Binds the Name (and Host) of piped objects.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ModelNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>Only results measured on these servers (as -Uri of the other cmdlets; $env:OLLAMA_HOST is not a filter).</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(UriCompleter))]
    public string[]? Uri { get; set; }

    /// <summary>The server a piped object came from: its results only.</summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    [Alias("Host")]
    [AllowNull]
    [AllowEmptyString]
    public string? PipedHost { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _servers = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (string text in Uri ?? Array.Empty<string>())
        {
            try
            {
                _servers.Add(OllamaEndpoint.Display(OllamaEndpoint.Parse(text)));
            }
            catch (FormatException ex)
            {
                ThrowTerminatingError(OllamaErrors.Build(ex, "InvalidOllamaUri", ErrorCategory.InvalidArgument, text,
                    "Pass -Uri as host, host:port or http(s)://host[:port], e.g. -Uri http://127.0.0.1:11434"));
            }
        }
    }

    /// <summary>The results the current record asks for: its names (or -Name), its Host (or -Uri).</summary>
    protected BenchmarkQuery Query(string[]? names)
    {
        var query = new BenchmarkQuery();
        if (names is { Length: > 0 })
        {
            query.Name = new ModelNameFilter(names).Matches;
        }

        if (PipedServer() is { } piped)
        {
            query.Hosts.Add(piped);
        }
        else
        {
            query.Hosts.UnionWith(_servers!);
        }

        return query;
    }

    /// <summary>A DateTime parameter as a point in time (an unspecified kind is local time, as Get-Date gives).</summary>
    protected static DateTimeOffset? AsInstant(DateTime? value) =>
        value is { } v ? new DateTimeOffset(v.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(v, DateTimeKind.Local) : v) : null;

    /// <summary>The piped object's server when -Uri was not typed; null for other objects.</summary>
    protected string? PipedServer()
    {
        if (string.IsNullOrWhiteSpace(PipedHost) || GivenExplicitly(nameof(Uri)))
        {
            return null;
        }

        try
        {
            return OllamaEndpoint.Display(OllamaEndpoint.Parse(PipedHost));
        }
        catch (FormatException)
        {
            return null;
        }
    }
}
