using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Benchmark;
using ElixiModels.Catalog;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Resources;
using ElixiModels.Selection;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Commands;

/// <summary>
/// Chooses the best model for a task from the installed models (or the models piped in): hard filters first
/// (capability, free memory, -MinContext, cloud), then a documented score of task fit, a quality proxy, measured or
/// estimated speed, and a bonus for a model already loaded. Writes the chosen model with its Score and Reason.
/// </summary>
[Cmdlet(VerbsCommon.Select, "OllamaModel", DefaultParameterSetName = TopSet, HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Select-OllamaModel.md")]
[OutputType(typeof(ModelSelection))]
public sealed class SelectOllamaModelCommand : OllamaCmdlet
{
    private static readonly string[] PipedIn = { "the models piped in" };

    private const string TopSet = "Top";
    private const string AllSet = "All";
    private const int BenchmarkRuns = 3;
    private const int BenchmarkTokens = 64;
    private readonly List<PSObject> _inputs = new();

    /// <summary>What the model is for: General, Coding, Analysis, Creative, Fast, Vision, Embedding or Tools.</summary>
    [Parameter(Mandatory = true, Position = 0)]
    public ModelTask Task { get; set; }

    /// <summary>
    /// Candidates instead of every installed model: names (wildcards allowed; a name without a tag means every tag),
    /// or objects from Get-OllamaModel, Measure-OllamaModel (their measured speed is used) or Select-OllamaModel. Each
    /// object's Host says which server it is on.
    /// </summary>
    [Parameter(ValueFromPipeline = true)]
    [ValidateNotNull]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ModelNameCompleter))]
    public PSObject[]? InputObject { get; set; }

    /// <summary>Only models whose trained context window is at least this many tokens.</summary>
    [Parameter]
    [ValidateRange(1, int.MaxValue)]
    public int MinContext { get; set; }

    /// <summary>
    /// The context length (tokens) the model will be loaded with: models are filtered by the memory planned for it
    /// (weights + KV cache + overhead, from /api/show) instead of 1.2 × their size, and need a trained context at least this long.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 16_777_216)]
    public int ContextLength { get; set; }

    /// <summary>Let cloud models compete (they are excluded by default).</summary>
    [Parameter]
    public SwitchParameter IncludeCloud { get; set; }

    /// <summary>
    /// Only models that fit in this much memory (bytes, e.g. 8GB). Default: this machine's free RAM and VRAM plus what
    /// loaded models occupy, when the server is local; no memory filter for a remote server.
    /// </summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    public long MemoryLimit { get; set; }

    /// <summary>Measure the top candidates that have no benchmark in this session first, then rank with the measured speeds.</summary>
    [Parameter]
    public SwitchParameter Benchmark { get; set; }

    /// <summary>
    /// With -Benchmark: do not add the measurements to the benchmark history (they are still kept in this session).
    /// $env:ELIXI_NO_HISTORY does the same for every command.
    /// </summary>
    [Parameter]
    public SwitchParameter NoHistory { get; set; }

    /// <summary>How many of the best models to write, best first. Default 1.</summary>
    [Parameter(ParameterSetName = TopSet)]
    [ValidateRange(1, 1000)]
    public int Top { get; set; } = 1;

    /// <summary>Write every candidate that passed the filters, ranked.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    protected override void BeginProcessing()
    {
        if (NoHistory && !Benchmark && GivenExplicitly(nameof(NoHistory)))
        {
            ThrowTerminatingError(OllamaErrors.Build(
                new ArgumentException("-NoHistory applies to the measurements of -Benchmark; without -Benchmark nothing is measured, so it would do nothing."),
                "NoHistoryNeedsBenchmark", ErrorCategory.InvalidArgument, null, "Add -Benchmark, or leave -NoHistory out."));
        }

        base.BeginProcessing();
    }

    protected override void ProcessRecord()
    {
        if (InputObject is not null)
        {
            _inputs.AddRange(InputObject.Where(o => o is not null));
        }
    }

    protected override void EndProcessing()
    {
        var request = new SelectionRequest
        {
            Task = Task,
            MinContext = MyInvocation.BoundParameters.ContainsKey(nameof(MinContext)) ? MinContext : ContextLength > 0 ? ContextLength : null,
            IncludeCloud = IncludeCloud,
            ExplicitMemoryLimit = MyInvocation.BoundParameters.ContainsKey(nameof(MemoryLimit)),
        };
        long? memoryLimit = request.ExplicitMemoryLimit ? MemoryLimit : null;
        List<OllamaCatalogModel> downloadable = _inputs.Select(i => i.BaseObject).OfType<OllamaCatalogModel>().ToList();
        if (downloadable.Count > 0)
        {
            // Get-OllamaModel -Available | Select-OllamaModel: rank the catalog (installed or not) for this machine.
            _inputs.RemoveAll(i => i.BaseObject is OllamaCatalogModel);
            RankDownloadable(downloadable, request, memoryLimit);
            if (_inputs.Count == 0)
            {
                return;
            }
        }

        Dictionary<Uri, List<WantedModel>?> sources = Sources();
        IHostResourceProbe probe = HostResourceProbe.Shared;

        Run(async (bridge, ct) =>
        {
            var reporter = new BridgeReporter(bridge);
            var gatherer = new CandidateGatherer(Session, await HistoryStep.ReadAsync(bridge, ct).ConfigureAwait(false), probe)
            {
                ContextLength = ContextLength > 0 ? ContextLength : null,
                MemoryLimit = memoryLimit,
            };
            ServerCandidates?[] gathered = await System.Threading.Tasks.Task.WhenAll(sources.Select(async s =>
            {
                OllamaClient client = ClientFor(s.Key);
                try
                {
                    return await gatherer.GatherAsync(client, s.Value, reporter, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    bridge.WriteError(OllamaErrors.From(ex, client.Host));
                    return null;
                }
            })).ConfigureAwait(false);
            List<ServerCandidates> read = gathered.Where(h => h is not null).Select(h => h!).ToList();
            foreach (ServerCandidates server in read)
            {
                foreach (string missing in server.Unmatched)
                {
                    bridge.WriteError(OllamaErrors.ModelNotInstalled(missing, server.Host, server.InstalledNames));
                }
            }

            if (read.Count == 0)
            {
                return;
            }

            List<ModelCandidate> candidates = read.SelectMany(h => h.Candidates.Select(c => c.Candidate)).ToList();
            SelectionOutcome outcome = ModelSelector.Rank(candidates, request);
            if (Benchmark && outcome.Ranked.Count > 0)
            {
                candidates = await MeasureTopAsync(outcome, candidates, read, probe, bridge, ct).ConfigureAwait(false);
                outcome = ModelSelector.Rank(candidates, request);
            }

            foreach (Rejection r in outcome.Rejected)
            {
                bridge.WriteVerbose($"Removed {r.Candidate.Name} ({r.Candidate.Host}): {ModelSelector.FilterHeading(r.Filter, request)}.");
            }

            long? free = read.Select(h => h.MemoryAvailableBytes).FirstOrDefault(m => m.HasValue);
            IEnumerable<string> installed = read.SelectMany(h => h.InstalledNames);
            if (outcome.Ranked.Count == 0)
            {
                bridge.WriteError(NoCandidate(outcome, request, read.Select(h => h.Host).ToList(), installed, free));
                return;
            }

            string? hint = outcome.Ranked[0].IsFallback
                && ModelSelector.Suggest(ModelCatalog.Default, request, installed, free, max: 1) is { Count: > 0 } better
                ? $"For a better {TaskClassifier.Name(Task)} model install one: Install-OllamaModel -Name {better[0].Name}."
                : null;
            int rank = 0;
            foreach (ScoredCandidate s in All ? outcome.Ranked : outcome.Ranked.Take(Top))
            {
                bridge.WriteObject(ModelSelection.From(s, ++rank, Task, rank == 1 ? hint : null));
            }
        });
    }

    /// <summary>
    /// Ranks catalog models (piped from Get-OllamaModel -Available), installed or not, by the same rules, judged against the
    /// memory of the server they would be installed on (this machine's, when it is local; else -MemoryLimit or none).
    /// </summary>
    private void RankDownloadable(IReadOnlyList<OllamaCatalogModel> models, SelectionRequest request, long? memoryLimit)
    {
        Uri target = ConfiguredEndpoints[0];
        Run(async (bridge, ct) =>
        {
            OllamaClient client = ClientFor(target);
            long? free = memoryLimit ?? await MemoryPlan.BudgetAsync(client, client.ListRunningAsync(ct), HostResourceProbe.Shared, ct).ConfigureAwait(false);
            List<ModelCandidate> candidates = models.Select(m => new ModelCandidate
            {
                Name = m.Name,
                Family = m.Family,
                Families = m.Family is null ? Array.Empty<string>() : new[] { m.Family },
                ParameterSize = m.ParameterSizeText,
                ParameterCount = m.ParameterCount ?? Units.ParseParameterSize(m.ParameterSizeText),
                Quantization = m.Quantization,
                SizeBytes = m.SizeBytes,
                Capabilities = m.Capabilities.Count > 0 ? m.Capabilities : null,
                ContextLength = m.ContextLength,
                MemoryAvailableBytes = free,
                // The catalog's architecture plan: at -ContextLength when given, else as Get-OllamaModel -Available planned it.
                PlannedBytes = ContextLength > 0
                    ? ModelCatalog.Default.PlanMemory(ModelCatalog.Default.Find(m.Name), m.SizeBytes, m.ParameterCount, ContextLength).TotalBytes
                    : m.EstimatedMemory.TotalBytes > 0 ? m.EstimatedMemory.TotalBytes : null,
            }).ToList();
            var installed = new HashSet<string>(models.Where(m => m.IsInstalled).Select(m => m.Name), StringComparer.OrdinalIgnoreCase);
            SelectionOutcome outcome = ModelSelector.Rank(candidates, request);
            foreach (Rejection r in outcome.Rejected)
            {
                bridge.WriteVerbose($"Removed {r.Candidate.Name}: {ModelSelector.FilterHeading(r.Filter, request)}.");
            }

            if (outcome.Ranked.Count == 0)
            {
                bridge.WriteError(NoCandidate(outcome, request, PipedIn, installed, free));
                return;
            }

            int rank = 0;
            foreach (ScoredCandidate s in All ? outcome.Ranked : outcome.Ranked.Take(Top))
            {
                string note = installed.Contains(s.Candidate.Name)
                    ? "Installed already."
                    : $"Not installed: a {Units.Bytes(s.Candidate.SizeBytes)} download (Install-OllamaModel -Name {s.Candidate.Name}).";
                bridge.WriteObject(ModelSelection.From(s, ++rank, Task, note));
            }
        });
    }

    /// <summary>The servers to read and, when candidates were piped in, which of their models.</summary>
    private Dictionary<Uri, List<WantedModel>?> Sources()
    {
        var sources = new Dictionary<Uri, List<WantedModel>?>();
        if (_inputs.Count == 0)
        {
            foreach (Uri endpoint in ConfiguredEndpoints)
            {
                sources[endpoint] = null;
            }

            return sources;
        }

        foreach (PSObject input in _inputs)
        {
            object value = input.BaseObject;
            string? name = value as string ?? input.Properties["Name"]?.Value?.ToString();
            if (string.IsNullOrWhiteSpace(name))
            {
                WriteError(OllamaErrors.Build(new ArgumentException($"The input '{input}' has no Name, so it cannot be a candidate model."),
                    "InputWithoutName", ErrorCategory.InvalidArgument, input, "Pipe model names or objects from Get-OllamaModel or Measure-OllamaModel."));
                continue;
            }

            if (ModelNameFilter.PatternProblem(name!.Trim()) is { } problem)
            {
                WriteError(OllamaErrors.InvalidModelName(name, problem));
                continue;
            }

            IEnumerable<Uri> endpoints = ConfiguredEndpoints;
            if (value is not string && input.Properties["Host"]?.Value is string host && host.Length > 0)
            {
                try
                {
                    endpoints = new[] { OllamaEndpoint.Parse(host) };
                }
                catch (FormatException ex)
                {
                    WriteError(OllamaErrors.Build(ex, "InvalidOllamaUri", ErrorCategory.InvalidArgument, input, null));
                    continue;
                }
            }

            foreach (Uri endpoint in endpoints)
            {
                Uri key = sources.Keys.FirstOrDefault(k => HostOf(k).Equals(HostOf(endpoint), StringComparison.OrdinalIgnoreCase)) ?? endpoint;
                if (!sources.TryGetValue(key, out List<WantedModel>? list) || list is null)
                {
                    sources[key] = list = new List<WantedModel>();
                }

                list.Add(new WantedModel(name!, value as BenchmarkResult));
            }
        }

        return sources;
    }

    /// <summary>-Benchmark: measures the best-ranked candidates that have no measurement yet, one after another.</summary>
    private async Task<List<ModelCandidate>> MeasureTopAsync(SelectionOutcome outcome, List<ModelCandidate> candidates, List<ServerCandidates> servers,
        IHostResourceProbe probe, PipelineBridge bridge, CancellationToken ct)
    {
        if (Task == ModelTask.Embedding)
        {
            bridge.WriteWarning("-Benchmark measures text generation; embedding models do not generate text, so they are ranked without it.");
            return candidates;
        }

        int take = Math.Max(3, All ? 5 : Top);
        List<ScoredCandidate> toMeasure = outcome.Ranked.Where(s => !s.SpeedMeasured && !s.Candidate.IsCloud).Take(take).ToList();
        var settings = new BenchmarkSettings
        {
            Count = BenchmarkRuns,
            Warmup = 1,
            MaxTokens = BenchmarkTokens,
            PromptSet = BenchmarkPrompts.Tasks.Contains(Task) ? Task : ModelTask.General,
        };
        foreach (IGrouping<string, ScoredCandidate> group in toMeasure.GroupBy(s => s.Candidate.Host))
        {
            ServerCandidates host = servers.First(h => h.Host == group.Key);
            var engine = new BenchmarkEngine(host.Client, settings, probe, Session.Details);
            var reporter = new BenchmarkReporter(bridge, host.Host, group.Count());
            int index = 0;
            foreach (ScoredCandidate s in group)
            {
                ct.ThrowIfCancellationRequested();
                reporter.StartModel(index++);
                try
                {
                    OllamaModel model = host.Candidates.First(c => ReferenceEquals(c.Candidate, s.Candidate)).Model;
                    BenchmarkResult result = await engine.MeasureAsync(model, reporter, ct).ConfigureAwait(false);
                    if (result.RunCount > 0)
                    {
                        Session.RecordBenchmark(result);
                        int at = candidates.FindIndex(c => ReferenceEquals(c, s.Candidate));
                        candidates[at] = CandidateGatherer.WithMeasurement(s.Candidate, result);
                        if (result.IsComplete && !NoHistory)
                        {
                            await HistoryStep.AppendAsync(bridge, result, ct).ConfigureAwait(false);
                        }
                    }
                }
                catch (BenchmarkNotSupportedException ex)
                {
                    bridge.WriteWarning(ex.Message);
                }
                catch (OllamaException ex)
                {
                    bridge.WriteWarning($"Could not measure {s.Candidate.Name}; it is ranked by its estimated speed: {ex.Message}");
                }
            }
        }

        return candidates;
    }

    private static ErrorRecord NoCandidate(SelectionOutcome outcome, SelectionRequest request, IReadOnlyCollection<string> hosts, IEnumerable<string> installed, long? free)
    {
        IReadOnlyList<CatalogEntry> suggestions = ModelSelector.Suggest(ModelCatalog.Default, request, installed, free);
        string task = TaskClassifier.Name(request.Task);
        string action = suggestions.Count > 0
            ? $"Install a model made for {task}: {string.Join(", ", suggestions.Select(e => $"{e.Name} ({Units.Bytes(e.SizeBytes)})"))}, " +
              $"e.g. Install-OllamaModel -Name {suggestions[0].Name}. This error's TargetObject holds them: $Error[0].TargetObject[0] | Install-OllamaModel"
            : $"Install a model that can do '{task}' with Install-OllamaModel, or relax the filters (-MinContext, -MemoryLimit, -IncludeCloud).";
        var ex = new ItemNotFoundException(ModelSelector.DescribeNoCandidate(outcome, request, hosts));
        return OllamaErrors.Build(ex, "NoSuitableModel", ErrorCategory.ObjectNotFound, suggestions.ToArray(), action);
    }
}
