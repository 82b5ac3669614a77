using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Host;
using ElixiModels.Benchmark;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Resources;
using ElixiModels.Selection;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Commands;

/// <summary>
/// Benchmarks models: time to first token, prefill and generation speed, load and total time, over several runs
/// with a warm-up, a varied prompt per run, temperature 0 and a fixed seed. Models are measured one after another;
/// each result is written as soon as its model is done, kept in the session for Select-OllamaModel, and added to the
/// benchmark history (Get-OllamaBenchmark) that later sessions read.
/// </summary>
[Cmdlet(VerbsDiagnostic.Measure, "OllamaModel", DefaultParameterSetName = BuiltInSet, HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Measure-OllamaModel.md")]
[OutputType(typeof(BenchmarkResult))]
public sealed class MeasureOllamaModelCommand : OllamaCmdlet
{
    private BenchmarkSettings? _settings;
    private Dictionary<string, IReadOnlyList<string>> _namesByHost = new();

    private const string BuiltInSet = "BuiltInPrompts";
    private const string CustomSet = "CustomPrompt";
    private readonly List<(Uri? From, string Name)> _names = new();
    private static readonly ISet<string> NoneLoaded = new HashSet<string>();
    private readonly ConcurrentQueue<BenchmarkResult> _partial = new();

    /// <summary>Models to measure; wildcards allowed. Binds Name of piped Get-OllamaModel objects.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ModelNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Counted runs per model. Default 5.</summary>
    [Parameter]
    [ValidateRange(1, 1000)]
    public int Count { get; set; } = 5;

    /// <summary>Runs made first and not counted (the first one loads the model). Default 1.</summary>
    [Parameter]
    [ValidateRange(0, 100)]
    public int Warmup { get; set; } = 1;

    /// <summary>Your own prompt; each run still starts with a different marker so no run reuses another's prompt cache.</summary>
    [Parameter(Mandatory = true, ParameterSetName = CustomSet)]
    [ValidateNotNullOrEmpty]
    public string? Prompt { get; set; }

    /// <summary>The built-in prompt set to use: General (default), Coding, Analysis, Creative or Fast.</summary>
    [Parameter(ParameterSetName = BuiltInSet)]
    [ValidateSet(nameof(ModelTask.General), nameof(ModelTask.Coding), nameof(ModelTask.Analysis), nameof(ModelTask.Creative), nameof(ModelTask.Fast), IgnoreCase = true)]
    public ModelTask Task { get; set; } = ModelTask.General;

    /// <summary>Tokens generated per run at most (num_predict). Default 128.</summary>
    [Parameter]
    [ValidateRange(1, 1_048_576)]
    public int MaxTokens { get; set; } = 128;

    /// <summary>Sampling temperature. Default 0, so runs are comparable.</summary>
    [Parameter]
    [ValidateRange(0.0, 2.0)]
    public double Temperature { get; set; }

    /// <summary>Random seed. Default 42, so runs are comparable.</summary>
    [Parameter]
    public int Seed { get; set; } = 42;

    /// <summary>Unload each model from memory when its measurement is done.</summary>
    [Parameter]
    public SwitchParameter Unload { get; set; }

    /// <summary>Do not add the results to the benchmark history (they are still kept in this session). $env:ELIXI_NO_HISTORY does the same for every command.</summary>
    [Parameter]
    public SwitchParameter NoHistory { get; set; }

    protected override void ProcessRecord()
    {
        Uri? from = PipedEndpoint;
        _names.AddRange(AcceptNames(Name).Select(n => (from, n)));
    }

    protected override void EndProcessing()
    {
        if (_names.Count == 0)
        {
            // Every name was rejected (or none came down the pipeline): nothing to ask any server.
            return;
        }

        _settings = new BenchmarkSettings
        {
            Count = Count,
            Warmup = Warmup,
            Prompt = Prompt,
            PromptSet = Task,
            MaxTokens = MaxTokens,
            Temperature = Temperature,
            Seed = Seed,
            Unload = Unload,
        };
        // Models piped from several servers are measured on the server each came from.
        IReadOnlyList<(Uri Endpoint, IReadOnlyList<string> Items)> groups = ByHost(_names);
        _namesByHost = groups.ToDictionary(g => HostOf(g.Endpoint), g => g.Items, StringComparer.OrdinalIgnoreCase);
        RunPerHost(groups.Select(g => g.Endpoint).ToList(), MeasureAsync, oneAtATime: true);
    }

    private async System.Threading.Tasks.Task MeasureAsync(PipelineBridge bridge, OllamaClient client, System.Threading.CancellationToken ct)
    {
        ServerInventory inventory = await ServerInventory.ReadAsync(client, withRunning: false, ct).ConfigureAwait(false);
        List<OllamaModel> models = Resolve(_namesByHost[client.Host], inventory, bridge);
        var engine = new BenchmarkEngine(client, _settings!, HostResourceProbe.Shared, Session.Details);
        var reporter = new BenchmarkReporter(bridge, client.Host, models.Count);
        for (int i = 0; i < models.Count && !ct.IsCancellationRequested; i++)
        {
            reporter.StartModel(i);
            try
            {
                BenchmarkResult result = await engine.MeasureAsync(models[i], reporter, ct).ConfigureAwait(false);
                if (!result.IsComplete)
                {
                    // Stopped: the pipeline takes no more output, so OnStopped reports the runs made.
                    if (result.RunCount > 0)
                    {
                        _partial.Enqueue(result);
                        Remember(result, bridge);
                    }

                    return;
                }

                // The result goes out first: keeping it in the session and the history is bookkeeping that must not lose it.
                bridge.WriteObject(result);
                if (result.RunCount > 0)
                {
                    Remember(result, bridge);
                }

                if (!NoHistory && result.RunCount > 0)
                {
                    await HistoryStep.AppendAsync(bridge, result, ct).ConfigureAwait(false);
                }

                if (result.SuccessCount == 0 && result.Runs.FirstOrDefault(r => !r.Succeeded) is { } failed)
                {
                    // Every run failed: the result says so, and an error carries the server's reason with its id.
                    bridge.WriteError(OllamaErrors.From(failed.Failure ?? new InvalidOperationException(failed.Error), models[i].Name));
                }
            }
            catch (BenchmarkNotSupportedException ex)
            {
                bridge.WriteWarning(ex.Message);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                bridge.WriteError(OllamaErrors.From(ex, models[i].Name));
            }
        }
    }

    private void Remember(BenchmarkResult result, PipelineBridge bridge)
    {
        try
        {
            Session.RecordBenchmark(result);
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException)
        {
            bridge.WriteWarning($"The result of {result.Name} on {result.Host} could not be kept in the session cache ({ex.Message}); Select-OllamaModel will not reuse it.");
        }
    }

    /// <summary>
    /// After Ctrl+C the pipeline takes no more objects, so the runs of the interrupted model are reported on the
    /// console instead; the partial result itself is kept in the session (Select-OllamaModel uses it).
    /// </summary>
    protected override void OnStopped()
    {
        while (_partial.TryDequeue(out BenchmarkResult? r))
        {
            string speed = r.GenerateTpsMedian is { } tps
                ? string.Format(CultureInfo.InvariantCulture, "median {0:0.0} tokens/s, time to first token {1:0} ms", tps, r.TtftMsMedian)
                : "no run succeeded";
            try
            {
                Host?.UI?.WriteWarningLine(
                    $"Stopped: {r.Name} on {r.Host} ran {r.RunCount} of {r.RequestedRuns} runs ({speed}). " +
                    "The partial result is kept in this session (not in the history): Get-OllamaBenchmark lists it and Select-OllamaModel uses it.");
            }
            catch (Exception ex) when (ex is HostException or NotImplementedException)
            {
                // A host without a console: the session still has the result.
            }
        }
    }

    /// <summary>The installed models the names ask for, in the order asked (by name within one pattern), each once; names matching nothing are errors.</summary>
    private static List<OllamaModel> Resolve(IReadOnlyList<string> names, ServerInventory inventory, PipelineBridge bridge)
    {
        NameResolution<WireModel> resolution = inventory.Resolve(names);
        foreach (string missing in resolution.Unmatched)
        {
            bridge.WriteError(OllamaErrors.ModelNotInstalled(missing, inventory.Host, inventory.InstalledNames));
        }

        return resolution.PerName
            .SelectMany(asked => asked.Models.OrderBy(m => m.Name, StringComparer.OrdinalIgnoreCase))
            .Distinct()
            .Select(m => OllamaModel.FromWire(m, inventory.Host, NoneLoaded))
            .ToList();
    }
}
