using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using ElixiModels.Catalog;
using ElixiModels.Models;
using ElixiModels.Resources;

namespace ElixiModels.Selection;

/// <summary>What to choose a model for.</summary>
public sealed class SelectionRequest
{
    public ModelTask Task { get; set; }

    /// <summary>Minimum trained context window in tokens; null for no minimum.</summary>
    public int? MinContext { get; set; }

    /// <summary>Let cloud models compete (they are excluded by default).</summary>
    public bool IncludeCloud { get; set; }

    /// <summary>
    /// The memory limit was given (-MemoryLimit): it applies to every candidate, loaded ones included, which are
    /// otherwise kept because Ollama already gave them their memory.
    /// </summary>
    public bool ExplicitMemoryLimit { get; set; }
}

/// <summary>A candidate that passed the filters, with its score and why.</summary>
public sealed record ScoredCandidate
{
    public ModelCandidate Candidate { get; internal init; } = new();

    /// <summary>0–100, the sum of the four parts below.</summary>
    public double Score { get; internal init; }

    public double FitPoints { get; internal init; }
    public double QualityPoints { get; internal init; }
    public double SpeedPoints { get; internal init; }
    public double LoadedPoints { get; internal init; }

    /// <summary>The model is not made for the task and competes as a fallback (e.g. a general model for coding).</summary>
    public bool IsFallback { get; internal init; }

    /// <summary>Whether the speed part comes from a benchmark (else it is estimated from the parameter count).</summary>
    public bool SpeedMeasured { get; internal init; }

    /// <summary>Memory the model needs (what it occupies when loaded, else the estimate).</summary>
    public long EstimatedMemoryBytes { get; internal init; }

    public string Reason { get; internal init; } = string.Empty;

    public override string ToString() => $"{Candidate.Name} {Score:0.0}: {Reason}";
}

/// <summary>A candidate a hard filter removed, and why.</summary>
public sealed class Rejection
{
    public ModelCandidate Candidate { get; internal init; } = new();

    /// <summary>"cloud", "capability", "context" or "memory".</summary>
    public string Filter { get; internal init; } = string.Empty;

    public string Reason { get; internal init; } = string.Empty;

    public override string ToString() => $"{Candidate.Name}: {Reason}";
}

/// <summary>The ranked candidates (best first) and the ones the filters removed.</summary>
public sealed class SelectionOutcome
{
    public IReadOnlyList<ScoredCandidate> Ranked { get; internal init; } = Array.Empty<ScoredCandidate>();
    public IReadOnlyList<Rejection> Rejected { get; internal init; } = Array.Empty<Rejection>();
}

/// <summary>
/// Chooses models for a task (Select-OllamaModel). First the hard filters, in this order; a model removed by one is
/// not tested by the next:
/// <list type="number">
/// <item>cloud: cloud models are removed unless asked for (-IncludeCloud);</item>
/// <item>capability: vision needs "vision", embedding "embedding", tools "tools"; every other task needs a model that
/// generates text ("completion");</item>
/// <item>context: the trained context window must be at least -MinContext (an unknown window fails);</item>
/// <item>memory: the model must fit in what its server can give it — free RAM plus free VRAM less 1 GiB for the
/// system (<see cref="MemoryFit.Budget"/>) plus the memory of loaded models (Ollama evicts idle ones), or
/// -MemoryLimit. A loaded model needs what it occupies; any other needs 1.2 × its size on disk
/// (<see cref="MemoryFit.Required"/>: weights plus KV cache and runtime at the default context). Cloud models and
/// servers whose memory is unknown (another machine) skip this filter.</item>
/// </list>
/// Then each remaining model gets a score from 0 to 100:
/// <c>Score = Wfit·Fit + Wquality·Quality + Wspeed·Speed + Wloaded·Loaded</c>, every part between 0 and 1, with these
/// weights per task (fit / quality / speed / loaded): general 35/35/20/10, coding 40/35/15/10,
/// analysis 35/45/10/10, creative 35/40/15/10, fast 30/10/50/10, vision 40/35/15/10, embedding 40/30/20/10,
/// tools 40/35/15/10.
/// <list type="bullet">
/// <item><b>Fit</b> (capabilities, family and name, through <see cref="TaskClassifier"/>): 1 when the model is made for
/// the task — a capability or name that says so (coding, vision, analysis by "thinking" or a reasoning name,
/// embedding, tools), or the classifier's general/creative/fast rule for those tasks; 0.85 for analysis by size
/// alone (a large general model); 0.5 for a <b>fallback</b> — a model that can do the work but is not made for it,
/// e.g. a general model when no coding model is installed (coding falls back to the strongest general model, and
/// the Reason says so). A model made for a different specialty (code, vision, reasoning) gets × 0.85 on any other
/// task.</item>
/// <item><b>Quality</b> (a proxy): log₂(parameters / 0.5 B) / log₂(140), clamped to 0–1 (0.5 B → 0, 70 B → 1; unknown →
/// 0.3), times a quantization factor: F32/F16/BF16 1.0, Q8 0.98, Q6 0.96, Q5 0.94, Q4_K 0.90, other Q4 0.85,
/// Q3 0.75, Q2/IQ2/IQ1 0.60, unknown 0.90.</item>
/// <item><b>Speed</b>: from a benchmark of this session when there is one — log(tokens/s ÷ 5) / log(40), clamped to
/// 0–1 (5 tok/s → 0, 200 tok/s → 1), times (1 − error rate); otherwise estimated as 1 − the parameter part of
/// Quality (smaller is faster; 0.5 when the size is unknown).</item>
/// <item><b>Loaded</b>: 1 when the model is already in memory (no load delay), else 0.</item>
/// </list>
/// Ties go to the faster measured model, then the name. Scores are rounded to one decimal.
/// </summary>
public static class ModelSelector
{
    private const double FallbackFit = 0.5;
    private const double SizeOnlyFit = 0.85;
    private const double OtherSpecialtyFactor = 0.85;
    private static readonly double QualityScale = Math.Log(140, 2);

    private static readonly Dictionary<ModelTask, (double Fit, double Quality, double Speed, double Loaded)> Weights = new()
    {
        [ModelTask.General] = (35, 35, 20, 10),
        [ModelTask.Coding] = (40, 35, 15, 10),
        [ModelTask.Analysis] = (35, 45, 10, 10),
        [ModelTask.Creative] = (35, 40, 15, 10),
        [ModelTask.Fast] = (30, 10, 50, 10),
        [ModelTask.Vision] = (40, 35, 15, 10),
        [ModelTask.Embedding] = (40, 30, 20, 10),
        [ModelTask.Tools] = (40, 35, 15, 10),
    };

    private static readonly ModelTask[] Specialties = { ModelTask.Coding, ModelTask.Vision, ModelTask.Analysis };

    /// <summary>The capability Ollama must report for a model to do <paramref name="task"/>.</summary>
    public static string RequiredCapability(ModelTask task) => task switch
    {
        ModelTask.Vision => "vision",
        ModelTask.Embedding => "embedding",
        ModelTask.Tools => "tools",
        _ => "completion",
    };

    /// <summary>Memory <paramref name="c"/> needs: what it occupies when loaded, else <see cref="MemoryFit.Required"/>.</summary>
    public static long EstimateMemory(ModelCandidate c) =>
        c.PlannedBytes is > 0 ? c.PlannedBytes.Value
        : c.IsLoaded && c.LoadedBytes is > 0 ? c.LoadedBytes.Value
        : MemoryFit.Required(c.SizeBytes);

    /// <summary>Filters and ranks <paramref name="candidates"/>, best first.</summary>
    public static SelectionOutcome Rank(IEnumerable<ModelCandidate> candidates, SelectionRequest request)
    {
        var ranked = new List<ScoredCandidate>();
        var rejected = new List<Rejection>();
        foreach (ModelCandidate c in candidates)
        {
            Rejection? reject = Filter(c, request);
            if (reject is not null)
            {
                rejected.Add(reject);
            }
            else
            {
                ranked.Add(Score(c, request.Task));
            }
        }

        List<ScoredCandidate> ordered = ranked
            .OrderByDescending(s => s.Score)
            .ThenByDescending(s => s.Candidate.MeasuredTokensPerSecond ?? 0)
            .ThenBy(s => s.Candidate.Name, StringComparer.OrdinalIgnoreCase)
            .ThenBy(s => s.Candidate.Host, StringComparer.OrdinalIgnoreCase)
            .ToList();
        bool onlyFallbacks = ordered.Count > 0 && ordered.All(s => s.IsFallback);
        List<ScoredCandidate> explained = ordered.Select((s, i) => s with { Reason = Explain(s, request.Task, onlyFallbacks && i == 0) }).ToList();
        return new SelectionOutcome { Ranked = explained, Rejected = rejected };
    }

    /// <summary>
    /// Catalog models worth installing for the request: not installed, made for the task (no fallbacks), passing the
    /// same filters (memory against <paramref name="memoryAvailableBytes"/> when known), best first.
    /// </summary>
    public static IReadOnlyList<CatalogEntry> Suggest(ModelCatalog catalog, SelectionRequest request, IEnumerable<string> installed, long? memoryAvailableBytes, int max = 3)
    {
        var have = new HashSet<string>(installed.Select(ModelName.Normalize), StringComparer.OrdinalIgnoreCase);
        var byName = new Dictionary<string, CatalogEntry>(StringComparer.OrdinalIgnoreCase);
        var candidates = new List<ModelCandidate>();
        foreach (CatalogEntry e in catalog.Entries.Where(e => !have.Contains(ModelName.Normalize(e.Name))))
        {
            if (e.Tasks.Length > 0 && !e.Tasks.Contains(TaskClassifier.Name(request.Task), StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            byName[e.Name] = e;
            candidates.Add(new ModelCandidate
            {
                Name = e.Name,
                Family = e.Family,
                Families = e.Family is null ? Array.Empty<string>() : new[] { e.Family },
                ParameterSize = e.ParameterSize,
                ParameterCount = Units.ParseParameterSize(e.ParameterSize),
                Quantization = e.Quantization,
                SizeBytes = e.SizeBytes,
                Capabilities = e.Capabilities,
                ContextLength = e.ContextLength,
                MemoryAvailableBytes = memoryAvailableBytes,
            });
        }

        return Rank(candidates, request).Ranked
            .Where(s => !s.IsFallback)
            .Take(max)
            .Select(s => byName[s.Candidate.Name])
            .ToList();
    }

    /// <summary>Why nothing was chosen: what each filter removed, in plain language.</summary>
    public static string DescribeNoCandidate(SelectionOutcome outcome, SelectionRequest request, IReadOnlyCollection<string> hosts)
    {
        string task = TaskClassifier.Name(request.Task);
        string where = hosts.Count == 1 ? hosts.First() : string.Join(", ", hosts);
        if (outcome.Rejected.Count == 0)
        {
            return $"No model is installed on {where}, so none can be chosen for '{task}'.";
        }

        var parts = outcome.Rejected
            .GroupBy(r => r.Filter)
            .Select(g => FilterHeading(g.Key, request) + ": " + string.Join(", ", g.Select(r => r.Reason)));
        return $"No installed model on {where} can be chosen for '{task}'. The filters removed {outcome.Rejected.Count} model(s) — "
            + string.Join("; ", parts) + ".";
    }

    /// <summary>How a filter is described to users.</summary>
    public static string FilterHeading(string filter, SelectionRequest request) => filter switch
    {
        "cloud" => "cloud models (add -IncludeCloud to consider them)",
        "capability" => $"cannot do '{TaskClassifier.Name(request.Task)}' (no '{RequiredCapability(request.Task)}' capability)",
        "context" => $"context window shorter than {request.MinContext} tokens",
        "memory" => "do not fit in the free memory",
        _ => filter,
    };

    private static Rejection? Filter(ModelCandidate c, SelectionRequest request)
    {
        if (c.IsCloud && !request.IncludeCloud)
        {
            return new Rejection { Candidate = c, Filter = "cloud", Reason = c.Name };
        }

        string required = RequiredCapability(request.Task);
        if (c.Capabilities is { Count: > 0 } caps)
        {
            if (!caps.Contains(required, StringComparer.OrdinalIgnoreCase))
            {
                return new Rejection { Candidate = c, Filter = "capability", Reason = $"{c.Name} ({string.Join(", ", caps)})" };
            }
        }
        else
        {
            // Capabilities unreadable: only what the name and family prove.
            IReadOnlyList<TaskMatch> matches = TaskClassifier.Classify(Traits(c, withSize: true));
            bool embeddingOnly = matches.Count == 1 && matches[0].Task == ModelTask.Embedding;
            bool ok = request.Task switch
            {
                ModelTask.Vision or ModelTask.Embedding => matches.Any(m => m.Task == request.Task),
                ModelTask.Tools => false,
                _ => !embeddingOnly,
            };
            if (!ok)
            {
                return new Rejection { Candidate = c, Filter = "capability", Reason = $"{c.Name} (capabilities unknown)" };
            }
        }

        if (request.MinContext is { } min && (c.ContextLength is not { } ctx || ctx < min))
        {
            return new Rejection
            {
                Candidate = c,
                Filter = "context",
                Reason = c.ContextLength is { } known ? $"{c.Name} ({known.ToString("N0", CultureInfo.InvariantCulture)})" : $"{c.Name} (unknown)",
            };
        }

        long need = EstimateMemory(c);
        if (!c.IsCloud && (!c.IsLoaded || c.PlannedBytes is not null || request.ExplicitMemoryLimit) && c.MemoryAvailableBytes is { } free && need > free)
        {
            string budget = request.ExplicitMemoryLimit ? $"-MemoryLimit {Units.Bytes(free)}" : $"{Units.Bytes(free)} free";
            return new Rejection { Candidate = c, Filter = "memory", Reason = $"{c.Name} (needs about {Units.Bytes(need)}{(c.IsLoaded ? " loaded" : string.Empty)}, {budget})" };
        }

        return null;
    }

    private static ScoredCandidate Score(ModelCandidate c, ModelTask task)
    {
        (double wFit, double wQuality, double wSpeed, double wLoaded) = Weights[task];
        IReadOnlyList<TaskMatch> matches = TaskClassifier.Classify(Traits(c, withSize: true));
        var special = new HashSet<ModelTask>(TaskClassifier.Classify(Traits(c, withSize: false)).Select(m => m.Task).Where(t => Specialties.Contains(t)));
        bool matched = matches.Any(m => m.Task == task);
        double fit = task switch
        {
            ModelTask.Vision or ModelTask.Embedding or ModelTask.Tools => 1.0,
            ModelTask.Coding or ModelTask.Analysis when special.Contains(task) => 1.0,
            ModelTask.Analysis when matched => SizeOnlyFit,
            ModelTask.General or ModelTask.Creative or ModelTask.Fast when matched => 1.0,
            _ => FallbackFit,
        };
        bool fallback = fit <= FallbackFit;
        if (special.Any(s => s != task))
        {
            fit *= OtherSpecialtyFactor;
        }

        double size = ParameterPart(c.ParameterCount);
        double quality = (c.ParameterCount is > 0 ? size : 0.3) * QuantizationFactor(c.Quantization);
        bool measured = c.MeasuredTokensPerSecond.HasValue;
        double speed = measured
            ? MeasuredSpeed(c.MeasuredTokensPerSecond!.Value) * (1 - Clamp(c.MeasuredErrorRate ?? 0))
            : c.ParameterCount is > 0 ? 1 - size : 0.5;
        double loaded = c.IsLoaded ? 1 : 0;

        double fitPoints = wFit * fit, qualityPoints = wQuality * quality, speedPoints = wSpeed * speed, loadedPoints = wLoaded * loaded;
        return new ScoredCandidate
        {
            Candidate = c,
            Score = Math.Round(fitPoints + qualityPoints + speedPoints + loadedPoints, 1),
            FitPoints = Math.Round(fitPoints, 1),
            QualityPoints = Math.Round(qualityPoints, 1),
            SpeedPoints = Math.Round(speedPoints, 1),
            LoadedPoints = Math.Round(loadedPoints, 1),
            IsFallback = fallback,
            SpeedMeasured = measured,
            EstimatedMemoryBytes = EstimateMemory(c),
        };
    }

    /// <summary>log₂(parameters / 0.5 B) / log₂(140), clamped to 0–1.</summary>
    internal static double ParameterPart(long? parameters) =>
        parameters is > 0 ? Clamp(Math.Log(parameters.Value / 0.5e9, 2) / QualityScale) : 0;

    /// <summary>log(tokens/s ÷ 5) / log(40), clamped to 0–1.</summary>
    internal static double MeasuredSpeed(double tokensPerSecond) =>
        tokensPerSecond <= 0 ? 0 : Clamp(Math.Log(tokensPerSecond / 5) / Math.Log(40));

    internal static double QuantizationFactor(string? quantization)
    {
        string q = (quantization ?? string.Empty).Trim().ToUpperInvariant();
        if (q.Length == 0)
        {
            return 0.90;
        }

        if (q is "F32" or "F16" or "BF16" or "FP16" or "FP32")
        {
            return 1.0;
        }

        if (q.StartsWith("Q8", StringComparison.Ordinal))
        {
            return 0.98;
        }

        if (q.StartsWith("Q6", StringComparison.Ordinal))
        {
            return 0.96;
        }

        if (q.StartsWith("Q5", StringComparison.Ordinal))
        {
            return 0.94;
        }

        if (q.StartsWith("Q4_K", StringComparison.Ordinal))
        {
            return 0.90;
        }

        if (q.StartsWith("Q4", StringComparison.Ordinal) || q.StartsWith("IQ4", StringComparison.Ordinal) || q.StartsWith("MXFP4", StringComparison.Ordinal))
        {
            return 0.85;
        }

        if (q.StartsWith("Q3", StringComparison.Ordinal) || q.StartsWith("IQ3", StringComparison.Ordinal))
        {
            return 0.75;
        }

        if (q.StartsWith("Q2", StringComparison.Ordinal) || q.StartsWith("IQ2", StringComparison.Ordinal) || q.StartsWith("IQ1", StringComparison.Ordinal))
        {
            return 0.60;
        }

        return 0.90;
    }

    private static string Explain(ScoredCandidate s, ModelTask task, bool onlyFallbacks)
    {
        ModelCandidate c = s.Candidate;
        string taskName = TaskClassifier.Name(task);
        var sentences = new List<string>();
        TaskMatch? match = TaskClassifier.Classify(Traits(c, withSize: true)).FirstOrDefault(m => m.Task == task);
        if (s.IsFallback)
        {
            sentences.Add(onlyFallbacks
                ? $"No installed model is made for {taskName}, so this falls back to the strongest model that can still do it"
                : $"Not made for {taskName}; ranked as a fallback");
        }
        else if (match is not null)
        {
            sentences.Add($"Suits {taskName}: it {match.Because}");
        }
        else
        {
            sentences.Add($"Suits {taskName}: it reports the '{RequiredCapability(task)}' capability");
        }

        string size = c.ParameterSize is { Length: > 0 } ps ? $"{ps} parameters" : "unknown size";
        sentences.Add(c.Quantization is { Length: > 0 } q ? $"{size} at {q}" : size);
        if (s.SpeedMeasured)
        {
            string failures = c.MeasuredErrorRate is > 0 ? string.Format(CultureInfo.InvariantCulture, ", {0:0%} of runs failed", c.MeasuredErrorRate) : string.Empty;
            sentences.Add(c.MeasuredInHistory && c.MeasuredAt is { } at
                ? string.Format(CultureInfo.InvariantCulture, "measured {0:0.#} tokens/s{1} on {2:yyyy-MM-dd HH:mm} (benchmark history; not measured in this session)", c.MeasuredTokensPerSecond, failures, at.ToLocalTime())
                : string.Format(CultureInfo.InvariantCulture, "measured {0:0.#} tokens/s{1}", c.MeasuredTokensPerSecond, failures));
        }
        else
        {
            sentences.Add("speed estimated from its size (not measured in this session)");
        }

        if (c.IsLoaded)
        {
            sentences.Add("already loaded, so no load delay");
        }

        return string.Join("; ", sentences) + ".";
    }

    private static ModelTraits Traits(ModelCandidate c, bool withSize) => new()
    {
        Name = c.Name,
        Family = c.Family,
        Families = c.Families,
        Capabilities = c.Capabilities ?? Array.Empty<string>(),
        ParameterCount = withSize ? c.ParameterCount : null,
        SizeBytes = c.SizeBytes,
    };

    private static double Clamp(double v) => v < 0 ? 0 : v > 1 ? 1 : v;
}
