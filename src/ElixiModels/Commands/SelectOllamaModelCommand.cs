using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Benchmark;
using ElixiModels.History;
using ElixiModels.Catalog;
using ElixiModels.Lifecycle;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Resources;
using ElixiModels.Selection;
using ElixiModels.Session;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;
using ElixiModels.Reporting;

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

    /// <summary>How many of the best models to write, best first. Default 1.</summary>
    [Parameter(ParameterSetName = TopSet)]
    [ValidateRange(1, 1000)]
    public int Top { get; set; } = 1;

    /// <summary>Write every candidate that passed the filters, ranked.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

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

        Dictionary<Uri, List<Wanted>?> sources = Sources();
        IHostResourceProbe probe = HostResourceProbe.Shared;

        Run(async (bridge, ct) =>
        {
            _history = await HistoryStep.ReadAsync(bridge, ct).ConfigureAwait(false);
            HostCandidates?[] hosts = await System.Threading.Tasks.Task.WhenAll(sources.Select(s =>
                GatherAsync(ClientFor(s.Key), s.Value, memoryLimit, probe, bridge, ct))).ConfigureAwait(false);
            List<HostCandidates> read = hosts.Where(h => h is not null).Select(h => h!).ToList();
            if (read.Count == 0)
            {
                return;
            }

            List<ModelCandidate> candidates = read.SelectMany(h => h.Candidates.Keys).ToList();
            SelectionOutcome outcome = ModelSelector.Rank(candidates, request);
            if (Benchmark && outcome.Ranked.Count > 0)
            {
                await MeasureTopAsync(outcome, read, probe, bridge, ct).ConfigureAwait(false);
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

            if (outcome.Ranked[0].IsFallback
                && ModelSelector.Suggest(ModelCatalog.Default, request, installed, free, max: 1).FirstOrDefault() is { } better)
            {
                outcome.Ranked[0].Reason += $" For a better {TaskClassifier.Name(Task)} model install one: Install-OllamaModel -Name {better.Name}.";
            }

            IEnumerable<ScoredCandidate> chosen = All ? outcome.Ranked : outcome.Ranked.Take(Top);
            int rank = 0;
            foreach (ScoredCandidate s in chosen)
            {
                bridge.WriteObject(ModelSelection.From(s, ++rank, Task));
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
            }).ToList();
            var installed = new HashSet<string>(models.Where(m => m.IsInstalled).Select(m => m.Name), StringComparer.OrdinalIgnoreCase);
            SelectionOutcome outcome = ModelSelector.Rank(candidates, request);
            foreach (Rejection r in outcome.Rejected)
            {
                bridge.WriteVerbose($"Removed {r.Candidate.Name}: {ModelSelector.FilterHeading(r.Filter, request)}.");
            }

            if (outcome.Ranked.Count == 0)
            {
                bridge.WriteError(NoCandidate(outcome, request, new[] { "the models piped in" }, installed, free));
                return;
            }

            int rank = 0;
            foreach (ScoredCandidate s in All ? outcome.Ranked : outcome.Ranked.Take(Top))
            {
                s.Reason += installed.Contains(s.Candidate.Name)
                    ? " Installed already."
                    : $" Not installed: a {Units.Bytes(s.Candidate.SizeBytes)} download (Install-OllamaModel -Name {s.Candidate.Name}).";
                bridge.WriteObject(ModelSelection.From(s, ++rank, Task));
            }
        });
    }

    /// <summary>The servers to read and, when candidates were piped in, which of their models.</summary>
    private Dictionary<Uri, List<Wanted>?> Sources()
    {
        var sources = new Dictionary<Uri, List<Wanted>?>();
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
                if (!sources.TryGetValue(key, out List<Wanted>? list) || list is null)
                {
                    sources[key] = list = new List<Wanted>();
                }

                list.Add(new Wanted(name!, value as BenchmarkResult));
            }
        }

        return sources;
    }

    private async Task<HostCandidates?> GatherAsync(OllamaClient client, List<Wanted>? wanted, long? memoryLimit, IHostResourceProbe probe,
        PipelineBridge bridge, CancellationToken ct)
    {
        try
        {
            ServerInventory inventory = await ServerInventory.ReadAsync(client, withRunning: true, ct).ConfigureAwait(false);
            if (inventory.RunningProblem is { } psProblem)
            {
                bridge.WriteWarning($"Could not read the loaded models of {client.Host}, so no model gets the loaded bonus: {psProblem}");
            }

            IReadOnlyList<WireRunningModel> running = inventory.Running;
            var picked = new List<(WireModel Wire, BenchmarkResult? Measured)>();
            if (wanted is null)
            {
                picked.AddRange(inventory.Installed.Select(m => (m, (BenchmarkResult?)null)));
            }
            else
            {
                NameResolution<WireModel> asked = inventory.Resolve(wanted.Select(w => w.Name));
                for (int n = 0; n < wanted.Count; n++)
                {
                    foreach (WireModel found in asked.PerName[n].Models)
                    {
                        int at = picked.FindIndex(p => ReferenceEquals(p.Wire, found));
                        if (at >= 0)
                        {
                            picked[at] = (found, wanted[n].Measured ?? picked[at].Measured);
                        }
                        else
                        {
                            picked.Add((found, wanted[n].Measured));
                        }
                    }
                }

                foreach (string missing in asked.Unmatched)
                {
                    bridge.WriteError(OllamaErrors.ModelNotInstalled(missing, client.Host, inventory.InstalledNames));
                }
            }

            ISet<string> loadedNames = inventory.LoadedNames;
            long? free = memoryLimit ?? await LocalMemoryAsync(client, running, probe, bridge, ct).ConfigureAwait(false);
            // A long gather (hundreds of models, one /api/show each on Ollama 0.23) shows how far it got.
            ProgressRateLimiter? limiter = picked.Count > ProgressAbove ? ProgressRateLimiter.StartNew() : null;
            bool reported = false;
            int activity = 1 + (int)((uint)StringComparer.OrdinalIgnoreCase.GetHashCode(client.Host) % 10000);
            string title = $"Reading model details on {client.Host}";
            IReadOnlyList<DetailsResult> details = await DetailsAsync(client, picked.Select(p => p.Wire).ToList(), ct,
                limiter is null ? null : (done, total) =>
                {
                    lock (limiter)
                    {
                        if (done < total && limiter.TryReport(done * 100 / total, out int percent))
                        {
                            reported = true;
                            bridge.WriteProgress(new ProgressRecord(activity, title, $"{done} of {total} models") { PercentComplete = percent });
                        }
                    }
                }).ConfigureAwait(false);
            if (limiter is not null && reported && limiter.Complete())
            {
                bridge.WriteProgress(new ProgressRecord(activity, title, $"{picked.Count} models") { RecordType = ProgressRecordType.Completed, PercentComplete = 100 });
            }

            var candidates = new Dictionary<ModelCandidate, OllamaModel>();
            for (int i = 0; i < picked.Count; i++)
            {
                (WireModel wire, BenchmarkResult? measured) = picked[i];
                if (details[i].Error is { } error)
                {
                    bridge.WriteWarning($"Could not read the details of {wire.Name} on {client.Host}; judging it by its name and size: {error.Message}");
                }

                WireRunningModel? loaded = running.FirstOrDefault(r => ModelName.SameModel(r.Name, wire.Name));
                OllamaModel model = OllamaModel.FromWire(wire, client.Host, loadedNames);
                candidates[Candidate(model, details[i].Details, loaded, free, measured)] = model;
            }

            return new HostCandidates(client, candidates, inventory.InstalledNames, free);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            bridge.WriteError(OllamaErrors.From(ex, client.Host));
            return null;
        }
    }

    /// <summary>
    /// Capabilities and context length of each model: from /api/tags where the server lists them (Ollama 0.30+, no
    /// /api/show at all), otherwise from the session's bounded, cached /api/show look-ups.
    /// </summary>
    private async Task<IReadOnlyList<DetailsResult>> DetailsAsync(OllamaClient client, IReadOnlyList<WireModel> models, CancellationToken ct, Action<int, int>? progress)
    {
        var results = new DetailsResult[models.Count];
        var toShow = new List<int>();
        for (int i = 0; i < models.Count; i++)
        {
            // -ContextLength plans memory from the architecture (/api/show model_info), which /api/tags does not list.
            if (ContextLength <= 0 && ModelDetails.FromTags(models[i]) is { } listed)
            {
                results[i] = new DetailsResult(models[i], listed, null);
            }
            else
            {
                toShow.Add(i);
            }
        }

        if (toShow.Count > 0)
        {
            IReadOnlyList<DetailsResult> shown = await Session.Details.GetManyAsync(client, toShow.Select(i => models[i]).ToList(), refresh: false, ct, progress).ConfigureAwait(false);
            for (int j = 0; j < toShow.Count; j++)
            {
                results[toShow[j]] = shown[j];
            }
        }

        return results;
    }

    private IReadOnlyList<BenchmarkResult> _history = Array.Empty<BenchmarkResult>();

    private ModelCandidate Candidate(OllamaModel model, ModelDetails? details, WireRunningModel? loaded, long? free, BenchmarkResult? measured)
    {
        BenchmarkSnapshot? snapshot = measured is null ? Session.GetBenchmark(model.Host, model.Name) : null;
        var candidate = new ModelCandidate
        {
            Name = model.Name,
            Host = model.Host,
            Family = model.Family,
            Families = model.Families,
            ParameterSize = model.ParameterSizeText ?? Units.ParameterSize(model.ParameterCount),
            ParameterCount = model.ParameterCount,
            Quantization = model.Quantization,
            SizeBytes = model.SizeBytes,
            Capabilities = details?.Capabilities,
            ContextLength = details?.ContextLength,
            IsLoaded = loaded is not null,
            LoadedBytes = loaded?.Size,
            IsCloud = model.IsCloud,
            MemoryAvailableBytes = free,
            PlannedBytes = ContextLength > 0 && details is { BlockCount: > 0 } && !model.IsCloud
                ? MemoryPlan.Estimate(details, model.SizeBytes, ContextLength).TotalBytes
                : null,
        };
        if (measured is { RunCount: > 0 })
        {
            Measured(candidate, measured);
        }
        else if (snapshot is not null)
        {
            candidate.MeasuredTokensPerSecond = snapshot.GenerateTokensPerSecond;
            candidate.MeasuredErrorRate = snapshot.ErrorRate;
            candidate.MeasuredRuns = snapshot.Runs;
        }
        else if (BenchmarkQuery.ForModel(_history, model.Host, model.Name, model.Digest, Environment.MachineName) is { } saved)
        {
            // Nothing measured in this session: the newest saved measurement of this very build (digest) of the model.
            Measured(candidate, saved);
            candidate.MeasuredAt = saved.MeasuredAt;
            candidate.MeasuredInHistory = true;
        }

        return candidate;
    }

    private static void Measured(ModelCandidate candidate, BenchmarkResult result)
    {
        candidate.MeasuredTokensPerSecond = result.GenerateTpsMedian ?? 0;
        candidate.MeasuredErrorRate = result.ErrorRate;
        candidate.MeasuredRuns = result.RunCount;
    }

    /// <summary>
    /// What a server on this machine can give a model: <see cref="MemoryFit.Budget"/> (free RAM + free VRAM − 1 GiB for
    /// the system) plus what loaded models occupy, since Ollama evicts idle models to make room.
    /// </summary>
    private static async Task<long?> LocalMemoryAsync(OllamaClient client, IReadOnlyList<WireRunningModel> running, IHostResourceProbe probe,
        PipelineBridge bridge, CancellationToken ct)
    {
        if (!OllamaEndpoint.IsLocal(client.Endpoint))
        {
            bridge.WriteVerbose($"{client.Host} is another machine, whose free memory is unknown: models are not filtered by memory (use -MemoryLimit).");
            return null;
        }

        try
        {
            HostResources r = await probe.ReadAsync(ct).ConfigureAwait(false);
            return MemoryFit.Budget(r) + running.Sum(m => m.Size);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            bridge.WriteWarning($"Could not read this machine's free memory, so models are not filtered by memory: {ex.Message}");
            return null;
        }
    }

    /// <summary>-Benchmark: measures the best-ranked candidates that have no measurement yet, one after another.</summary>
    private async Task MeasureTopAsync(SelectionOutcome outcome, List<HostCandidates> hosts, IHostResourceProbe probe, PipelineBridge bridge, CancellationToken ct)
    {
        if (Task == ModelTask.Embedding)
        {
            bridge.WriteWarning("-Benchmark measures text generation; embedding models do not generate text, so they are ranked without it.");
            return;
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
            HostCandidates host = hosts.First(h => h.Host == group.Key);
            var engine = new BenchmarkEngine(host.Client, settings, probe, Session.Details);
            var reporter = new BenchmarkReporter(bridge, host.Host, group.Count());
            int index = 0;
            foreach (ScoredCandidate s in group)
            {
                ct.ThrowIfCancellationRequested();
                reporter.StartModel(index++);
                try
                {
                    BenchmarkResult result = await engine.MeasureAsync(host.Candidates[s.Candidate], reporter, ct).ConfigureAwait(false);
                    if (result.RunCount > 0)
                    {
                        Session.RecordBenchmark(result);
                        Measured(s.Candidate, result);
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
    }

    private ErrorRecord NoCandidate(SelectionOutcome outcome, SelectionRequest request, IReadOnlyCollection<string> hosts, IEnumerable<string> installed, long? free)
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

    /// <summary>Gathers of more models than this show progress.</summary>
    private const int ProgressAbove = 20;

    private sealed record Wanted(string Name, BenchmarkResult? Measured);

    private sealed record HostCandidates(OllamaClient Client, Dictionary<ModelCandidate, OllamaModel> Candidates, IReadOnlyList<string> InstalledNames, long? MemoryAvailableBytes)
    {
        public string Host => Client.Host;
    }
}
