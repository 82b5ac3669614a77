using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Ollama;
using ElixiModels.Arguments;

namespace ElixiModels.Cmdlets;

/// <summary>
/// Base of the cmdlets that talk to Ollama servers: -Uri (default $env:OLLAMA_HOST), -TimeoutSec, the piped object's
/// Host, a client per server with the request trace of -Debug, and the per-server fan-out with ordered output.
/// </summary>
public abstract class OllamaCmdlet : ElixiCmdlet
{
    private IReadOnlyList<Uri>? _endpoints;
    private (string Text, Uri Endpoint)? _piped;
    private bool? _uriExplicit;
    private bool? _traceRequests;
    private string? _configuredSource;

    /// <summary>-Debug (or $DebugPreference) asks for a line per HTTP request.</summary>
    private bool TraceRequests => _traceRequests ??=
        MyInvocation.BoundParameters.TryGetValue("Debug", out object? debug) ? LanguagePrimitives.IsTrue(debug)
        : GetVariableValue("DebugPreference") is ActionPreference preference && preference != ActionPreference.SilentlyContinue;

    /// <summary>Ollama server(s). Defaults to $env:OLLAMA_HOST, else http://127.0.0.1:11434.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(UriCompleter))]
    public string[]? Uri { get; set; }

    /// <summary>
    /// The server a piped object came from (its Host property, e.g. from Get-OllamaModel -Uri a,b). Without -Uri, each
    /// piped object is acted on where it came from instead of on the default server.
    /// </summary>
    [Parameter(ValueFromPipelineByPropertyName = true, DontShow = true)]
    [Alias("Host")]
    [AllowNull]
    [AllowEmptyString]
    public string? PipedHost { get; set; }

    /// <summary>Seconds to wait for an answer (for loads and streams: between lines). Defaults: 30 s, loads 600 s.</summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int TimeoutSec { get; set; }

    /// <summary>
    /// The servers the current record is for: the piped object's Host when -Uri was not given, else
    /// <see cref="ConfiguredEndpoints"/>.
    /// </summary>
    protected IReadOnlyList<Uri> Endpoints => PipedEndpoint is { } piped ? new[] { piped } : ConfiguredEndpoints;

    /// <summary>The servers -Uri names (or the default server), parsed and de-duplicated; piped Hosts are not consulted.</summary>
    protected IReadOnlyList<Uri> ConfiguredEndpoints => _endpoints ??= ParseEndpoints();

    /// <summary>The server the current piped object came from, when -Uri was not given; null otherwise.</summary>
    protected Uri? PipedEndpoint
    {
        get
        {
            if (string.IsNullOrWhiteSpace(PipedHost) || (_uriExplicit ??= GivenExplicitly(nameof(Uri))))
            {
                return null;
            }

            if (_piped is { } cached && cached.Text == PipedHost)
            {
                return cached.Endpoint;
            }

            try
            {
                _piped = (PipedHost!, OllamaEndpoint.Parse(PipedHost!));
                return _piped.Value.Endpoint;
            }
            catch (FormatException)
            {
                // A Host that is no server address belongs to some other kind of object: use -Uri or the default.
                return null;
            }
        }
    }

    /// <summary>
    /// Groups items gathered over the pipeline by the server each came from (<see cref="PipedEndpoint"/> when the item
    /// was recorded); items with no server go to every <see cref="ConfiguredEndpoints"/> entry. Servers keep first-seen order.
    /// </summary>
    protected IReadOnlyList<(Uri Endpoint, IReadOnlyList<T> Items)> ByHost<T>(IEnumerable<(Uri? From, T Item)> items)
    {
        var order = new List<Uri>();
        var groups = new Dictionary<string, List<T>>(StringComparer.OrdinalIgnoreCase);
        void Add(Uri endpoint, T item)
        {
            string key = HostOf(endpoint);
            if (!groups.TryGetValue(key, out List<T>? list))
            {
                groups[key] = list = new List<T>();
                order.Add(endpoint);
            }

            list.Add(item);
        }

        foreach ((Uri? from, T item) in items)
        {
            foreach (Uri endpoint in from is null ? ConfiguredEndpoints : new[] { from })
            {
                Add(endpoint, item);
            }
        }

        return order.Select(e => (e, (IReadOnlyList<T>)groups[HostOf(e)])).ToList();
    }

    /// <summary>The canonical text of each endpoint, as every output object's Host.</summary>
    protected static string HostOf(Uri endpoint) => OllamaEndpoint.Display(endpoint);

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        _endpoints ??= ParseEndpoints();
        _uriExplicit ??= GivenExplicitly(nameof(Uri));
        _configuredSource = Uri is { Length: > 0 }
            ? _uriExplicit == true ? "-Uri" : "-Uri from $PSDefaultParameterValues"
            : string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(OllamaEndpoint.HostVariable))
                ? "the default server; set $env:OLLAMA_HOST or -Uri for another"
                : "$env:OLLAMA_HOST";
    }

    /// <summary>A client for <paramref name="endpoint"/> honouring -TimeoutSec; clients share one HttpClient per server.</summary>
    protected OllamaClient ClientFor(Uri endpoint)
    {
        var options = new OllamaClientOptions();
        if (TraceRequests)
        {
            options.Trace = text => CurrentBridge?.WriteDebug(text);
        }

        if (TimeoutSec > 0)
        {
            options.Timeout = TimeSpan.FromSeconds(TimeoutSec);
            options.LoadTimeout = TimeSpan.FromSeconds(TimeoutSec);
        }

        Configure(options);
        Session.RecordServer(HostOf(endpoint));
        CurrentBridge?.WriteVerbose($"Server {HostOf(endpoint)} ({ServerSource(endpoint)}).");
        return new OllamaClient(endpoint, options);
    }

    /// <summary>Lets a cmdlet set its own client options (e.g. Install-OllamaModel's -StallTimeout).</summary>
    protected virtual void Configure(OllamaClientOptions options)
    {
    }

    /// <summary>
    /// Refuses a -KeepAlive under one second: Ollama would unload the model at once (0.4 ms rounds to 0), undoing
    /// the load it was given with.
    /// </summary>
    protected void RejectShortKeepAlive(KeepAlive? keepAlive)
    {
        if (keepAlive is { Duration: { } d } && d < TimeSpan.FromSeconds(1))
        {
            ThrowTerminatingError(OllamaErrors.Build(
                new ArgumentException($"A keep-alive of {(d == TimeSpan.Zero ? "0" : d.TotalMilliseconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture) + " ms")} " +
                    "would unload the model as soon as it is loaded; a keep-alive must be at least 1 second."),
                "InvalidKeepAlive", ErrorCategory.InvalidArgument, keepAlive, "Pass at least one second, e.g. -KeepAlive '30s' or '10m', or 'Forever'."));
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> once per endpoint, in parallel; output comes out server by server in -Uri order.
    /// With <paramref name="oneAtATime"/> the servers are worked one after another (e.g. so that measurements on two
    /// servers of one machine do not disturb each other). A failure on one server is an error for that server only.
    /// </summary>
    protected void RunPerHost(Func<PipelineBridge, OllamaClient, CancellationToken, Task> work, bool oneAtATime = false) =>
        RunPerHost(Endpoints, work, oneAtATime);

    /// <summary>As <see cref="RunPerHost(Func{PipelineBridge, OllamaClient, CancellationToken, Task}, bool)"/>, on the given servers.</summary>
    protected void RunPerHost(IReadOnlyList<Uri> endpoints, Func<PipelineBridge, OllamaClient, CancellationToken, Task> work, bool oneAtATime = false) => Run(async (bridge, ct) =>
    {
        async Task OneAsync(PipelineBridge output, Uri endpoint)
        {
            OllamaClient client = ClientFor(endpoint);
            try
            {
                await work(output, client, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                output.WriteError(OllamaErrors.From(ex, client.Host));
            }
        }

        if (oneAtATime)
        {
            foreach (Uri endpoint in endpoints)
            {
                ct.ThrowIfCancellationRequested();
                await OneAsync(bridge, endpoint).ConfigureAwait(false);
            }

            return;
        }

        PipelineBridge[] outputs = endpoints.Select(_ => endpoints.Count == 1 ? bridge : bridge.CreateHeldChild()).ToArray();
        Task[] tasks = endpoints.Select((endpoint, i) => Task.Run(() => OneAsync(outputs[i], endpoint), ct)).ToArray();
        for (int i = 0; i < tasks.Length; i++)
        {
            if (outputs[i] != bridge)
            {
                outputs[i].Release();
            }

            await tasks[i].ConfigureAwait(false);
        }
    });

    /// <summary>For -Verbose: why this server was asked (from state settled on the pipeline thread).</summary>
    private string ServerSource(Uri endpoint) =>
        _piped is { } piped && _uriExplicit == false && HostOf(piped.Endpoint).Equals(HostOf(endpoint), StringComparison.OrdinalIgnoreCase)
            ? "the Host of the piped object"
            : _configuredSource ?? "-Uri";

    private IReadOnlyList<Uri> ParseEndpoints()
    {
        if (Uri is null || Uri.Length == 0)
        {
            try
            {
                return new[] { OllamaEndpoint.FromEnvironment() };
            }
            catch (FormatException ex)
            {
                ThrowTerminatingError(OllamaErrors.Build(ex, "InvalidOllamaHost", ErrorCategory.InvalidArgument,
                    Environment.GetEnvironmentVariable(OllamaEndpoint.HostVariable),
                    "Fix $env:OLLAMA_HOST (e.g. 127.0.0.1:11434 or http://server:11434), or pass -Uri."));
            }
        }

        var result = new List<Uri>();
        foreach (string text in Uri!)
        {
            try
            {
                System.Uri parsed = OllamaEndpoint.Parse(text);
                if (!result.Any(u => HostOf(u).Equals(HostOf(parsed), StringComparison.OrdinalIgnoreCase)))
                {
                    result.Add(parsed);
                }
            }
            catch (FormatException ex)
            {
                ThrowTerminatingError(OllamaErrors.Build(ex, "InvalidOllamaUri", ErrorCategory.InvalidArgument, text,
                    "Pass -Uri as host, host:port or http(s)://host[:port], e.g. -Uri http://127.0.0.1:11434"));
            }
        }

        return result;
    }
}
