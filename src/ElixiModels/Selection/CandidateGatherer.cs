using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.History;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Reporting;
using ElixiModels.Resources;
using ElixiModels.Session;

namespace ElixiModels.Selection;

/// <summary>A model asked for by name (typed, or piped with a measurement of its own).</summary>
public sealed record WantedModel(string Name, BenchmarkResult? Measured);

/// <summary>What one server offers Select-OllamaModel: its candidates, and the facts an explanation needs.</summary>
public sealed class ServerCandidates
{
    internal ServerCandidates(OllamaClient client, IReadOnlyList<(ModelCandidate Candidate, OllamaModel Model)> candidates,
        IReadOnlyList<string> installedNames, long? memoryAvailableBytes, IReadOnlyList<string> unmatched)
    {
        Client = client;
        Candidates = candidates;
        InstalledNames = installedNames;
        MemoryAvailableBytes = memoryAvailableBytes;
        Unmatched = unmatched;
    }

    public OllamaClient Client { get; }

    public string Host => Client.Host;

    /// <summary>Each candidate with the installed model it stands for (what a benchmark measures).</summary>
    public IReadOnlyList<(ModelCandidate Candidate, OllamaModel Model)> Candidates { get; }

    public IReadOnlyList<string> InstalledNames { get; }

    /// <summary>What the server can give a model (-MemoryLimit, or this machine's budget when local); null when unknown.</summary>
    public long? MemoryAvailableBytes { get; }

    /// <summary>Names asked for that no installed model matches.</summary>
    public IReadOnlyList<string> Unmatched { get; }
}

/// <summary>
/// Gathers the candidates of one server: its inventory, each model's capabilities and context (from /api/tags on
/// Ollama 0.30+, else the session's cached /api/show), its measured speed (piped, this session's, else the newest
/// saved measurement of the same digest on this machine), and the memory a load may use.
/// </summary>
public sealed class CandidateGatherer
{
    /// <summary>Gathers of more models than this show progress.</summary>
    private const int ProgressAbove = 20;
    private readonly SessionContext _session;
    private readonly IReadOnlyList<BenchmarkResult> _history;
    private readonly IHostResourceProbe _probe;

    public CandidateGatherer(SessionContext session, IReadOnlyList<BenchmarkResult> history, IHostResourceProbe probe)
    {
        _session = session;
        _history = history;
        _probe = probe;
    }

    /// <summary>The context length a load will use (-ContextLength): memory is then planned from the architecture.</summary>
    public int? ContextLength { get; init; }

    /// <summary>An explicit memory limit for every candidate (-MemoryLimit); null uses this machine's budget for a local server.</summary>
    public long? MemoryLimit { get; init; }

    /// <param name="client">The server.</param>
    /// <param name="wanted">The models asked for; null for every installed model.</param>
    /// <param name="reporter">Warnings, verbose text and progress.</param>
    /// <param name="ct">Cancels the reads.</param>
    public async Task<ServerCandidates> GatherAsync(OllamaClient client, IReadOnlyList<WantedModel>? wanted, IOperationReporter reporter, CancellationToken ct)
    {
        ServerInventory inventory = await ServerInventory.ReadAsync(client, withRunning: true, ct).ConfigureAwait(false);
        if (inventory.RunningProblem is { } psProblem)
        {
            reporter.Warning($"Could not read the loaded models of {client.Host}, so no model gets the loaded bonus: {psProblem}");
        }

        var picked = new List<(WireModel Wire, BenchmarkResult? Measured)>();
        IReadOnlyList<string> unmatched = Array.Empty<string>();
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
                    BenchmarkResult? measured = wanted[n].Measured ?? (at >= 0 ? picked[at].Measured : null);
                    if (at >= 0)
                    {
                        picked[at] = (found, measured);
                    }
                    else
                    {
                        picked.Add((found, measured));
                    }
                }
            }

            unmatched = asked.Unmatched.ToList();
        }

        long? free = MemoryLimit ?? await LocalMemoryAsync(inventory, reporter, ct).ConfigureAwait(false);
        IReadOnlyList<DetailsResult> details = await DetailsAsync(client, picked.Select(p => p.Wire).ToList(), reporter, ct).ConfigureAwait(false);
        ISet<string> loadedNames = inventory.LoadedNames;
        var candidates = new List<(ModelCandidate, OllamaModel)>();
        for (int i = 0; i < picked.Count; i++)
        {
            (WireModel wire, BenchmarkResult? measured) = picked[i];
            if (details[i].Error is { } error)
            {
                reporter.Warning($"Could not read the details of {wire.Name} on {client.Host}; judging it by its name and size: {error.Message}");
            }

            WireRunningModel? loaded = inventory.Running.FirstOrDefault(r => ModelName.SameModel(r.Name, wire.Name));
            OllamaModel model = OllamaModel.FromWire(wire, client.Host, loadedNames);
            candidates.Add((Candidate(model, details[i].Details, loaded, free, measured), model));
        }

        return new ServerCandidates(client, candidates, inventory.InstalledNames, free, unmatched);
    }

    /// <summary>The candidate with a measurement of its own (a benchmark just made, or piped in).</summary>
    public static ModelCandidate WithMeasurement(ModelCandidate candidate, BenchmarkResult result) => candidate with
    {
        MeasuredTokensPerSecond = result.GenerateTpsMedian ?? 0,
        MeasuredErrorRate = result.ErrorRate,
        MeasuredRuns = result.RunCount,
        MeasuredAt = null,
        MeasuredInHistory = false,
    };

    private ModelCandidate Candidate(OllamaModel model, ModelDetails? details, WireRunningModel? loaded, long? free, BenchmarkResult? measured)
    {
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
            PlannedBytes = ContextLength is { } context && details is { BlockCount: > 0 } && !model.IsCloud
                ? MemoryPlan.Estimate(details, model.SizeBytes, context).TotalBytes
                : null,
        };
        if (measured is { RunCount: > 0 })
        {
            return WithMeasurement(candidate, measured);
        }

        if (_session.GetBenchmark(model.Host, model.Name) is { } snapshot)
        {
            return candidate with
            {
                MeasuredTokensPerSecond = snapshot.GenerateTokensPerSecond,
                MeasuredErrorRate = snapshot.ErrorRate,
                MeasuredRuns = snapshot.Runs,
            };
        }

        if (BenchmarkQuery.ForModel(_history, model.Host, model.Name, model.Digest, Environment.MachineName) is { } saved)
        {
            // Nothing measured in this session: the newest saved measurement of this very build (digest) of the model.
            return WithMeasurement(candidate, saved) with { MeasuredAt = saved.MeasuredAt, MeasuredInHistory = true };
        }

        return candidate;
    }

    /// <summary>
    /// Capabilities and context length of each model: from /api/tags where the server lists them (Ollama 0.30+, no
    /// /api/show at all), otherwise from the session's bounded, cached /api/show look-ups, with progress for many.
    /// </summary>
    private async Task<IReadOnlyList<DetailsResult>> DetailsAsync(OllamaClient client, IReadOnlyList<WireModel> models, IOperationReporter reporter, CancellationToken ct)
    {
        var results = new DetailsResult[models.Count];
        var toShow = new List<int>();
        for (int i = 0; i < models.Count; i++)
        {
            // -ContextLength plans memory from the architecture (/api/show model_info), which /api/tags does not list.
            if (ContextLength is null && ModelDetails.FromTags(models[i]) is { } listed)
            {
                results[i] = new DetailsResult(models[i], listed, null);
            }
            else
            {
                toShow.Add(i);
            }
        }

        if (toShow.Count == 0)
        {
            return results;
        }

        ProgressRateLimiter? limiter = toShow.Count > ProgressAbove ? ProgressRateLimiter.StartNew() : null;
        bool reported = false;
        int activity = 1 + (int)((uint)StringComparer.OrdinalIgnoreCase.GetHashCode(client.Host) % 10000);
        string title = $"Reading model details on {client.Host}";
        Action<int, int>? progress = limiter is null ? null : (done, total) =>
        {
            lock (limiter)
            {
                if (done < total && limiter.TryReport(done * 100 / total, out int percent))
                {
                    reported = true;
                    reporter.Progress(new OperationProgress(activity, title, $"{done} of {total} models") { Percent = percent });
                }
            }
        };
        IReadOnlyList<DetailsResult> shown = await _session.Details.GetManyAsync(client, toShow.Select(i => models[i]).ToList(), refresh: false, ct, progress).ConfigureAwait(false);
        reporter.Verbose(DetailsResult.Describe(shown, client.Host));
        for (int j = 0; j < toShow.Count; j++)
        {
            results[toShow[j]] = shown[j];
        }

        if (limiter is not null && reported && limiter.Complete())
        {
            reporter.Progress(new OperationProgress(activity, title, $"{toShow.Count} models") { Percent = 100, Completed = true });
        }

        return results;
    }

    /// <summary>
    /// What a server on this machine can give a model: <see cref="MemoryFit.Budget"/> (free RAM + free VRAM − 1 GiB for
    /// the system) plus what loaded models occupy, since Ollama evicts idle models to make room.
    /// </summary>
    private async Task<long?> LocalMemoryAsync(ServerInventory inventory, IOperationReporter reporter, CancellationToken ct)
    {
        if (!inventory.IsLocal)
        {
            reporter.Verbose($"{inventory.Host} is another machine, whose free memory is unknown: models are not filtered by memory (use -MemoryLimit).");
            return null;
        }

        try
        {
            HostResources r = await _probe.ReadAsync(ct).ConfigureAwait(false);
            return MemoryFit.Budget(r) + inventory.Running.Sum(m => m.Size);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            reporter.Warning($"Could not read this machine's free memory, so models are not filtered by memory: {ex.Message}");
            return null;
        }
    }
}
