using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Reporting;
using ElixiModels.Resources;
using ElixiModels.Selection;
using ElixiModels.Session;

namespace ElixiModels.Catalog;

/// <summary>The filters of Get-OllamaModel -Available; every one that is set must hold.</summary>
public sealed class AvailableFilter
{
    public ModelTask? Task { get; set; }

    /// <summary>Capabilities the model must all have.</summary>
    public IReadOnlyList<string> Capabilities { get; set; } = Array.Empty<string>();

    /// <summary>Largest download size in bytes.</summary>
    public long? MaxSize { get; set; }

    /// <summary>Only models that fit this machine (see <see cref="MemoryEstimator.Fits"/>).</summary>
    public bool FitsMemory { get; set; }

    /// <summary>Whether the traits that do not depend on the registry's answer (task, capabilities) hold.</summary>
    public bool MatchesTraits(OllamaCatalogModel m) =>
        (Task is not { } task || m.TaskTypes.Contains(TaskClassifier.Name(task), StringComparer.OrdinalIgnoreCase))
        && Capabilities.All(c => m.Capabilities.Contains(c, StringComparer.OrdinalIgnoreCase));

    public bool Matches(OllamaCatalogModel m) =>
        MatchesTraits(m)
        && (MaxSize is not { } max || m.SizeBytes <= max)
        && (!FitsMemory || m.FitsMemory != false);
}

/// <summary>One downloadable model before it is tied to a server: catalog data, the registry's answer, or both.</summary>
public sealed class AvailableCandidate
{
    public AvailableCandidate(ModelName name, CatalogEntry? entry, RegistryManifest? manifest)
    {
        Name = name;
        Entry = entry;
        Manifest = manifest;
    }

    public ModelName Name { get; }
    public CatalogEntry? Entry { get; }
    public RegistryManifest? Manifest { get; }
}

/// <summary>What the registry look-up found.</summary>
public sealed class AvailableResolution
{
    public AvailableResolution(IReadOnlyList<AvailableCandidate> candidates, IReadOnlyList<string> notFound, bool registryReached,
        IReadOnlyDictionary<string, string>? unconfirmed = null)
    {
        Candidates = candidates;
        NotFound = notFound;
        RegistryReached = registryReached;
        Unconfirmed = unconfirmed ?? new Dictionary<string, string>();
    }

    /// <summary>
    /// Names the registry answered for without confirming or denying (e.g. HTTP 401 or 500), with why: "not found"
    /// cannot be said of them.
    /// </summary>
    public IReadOnlyDictionary<string, string> Unconfirmed { get; }

    /// <summary>Catalog entries (confirmed or not) and registry-only models, each name once.</summary>
    public IReadOnlyList<AvailableCandidate> Candidates { get; }

    /// <summary>Requested names that are neither in the catalog nor (as far as could be checked) in the registry.</summary>
    public IReadOnlyList<string> NotFound { get; }

    /// <summary>False when the registry was skipped or unreachable: only the catalog's data was used.</summary>
    public bool RegistryReached { get; }
}

/// <summary>
/// Downloadable models: the shipped catalog, confirmed and completed by the live registry when it can be reached
/// (look-ups cached in the session, at most <see cref="MaxConcurrency"/> at once), merged by name. Offline, the
/// catalog alone answers, silently.
/// </summary>
public sealed class AvailableModels
{
    public const int MaxConcurrency = 8;

    /// <summary>After a failed attempt the registry is not asked again for this long (unless refreshed).</summary>
    public static readonly TimeSpan OfflineFor = TimeSpan.FromMinutes(2);

    private static readonly Regex TagSize = new(@"^(?:(?<experts>\d+)x)?(?<n>\d+(?:\.\d+)?)(?<unit>[bmk])(?![a-z])", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
    private readonly ModelCatalog _catalog;
    private readonly SessionCache _cache;

    public AvailableModels(ModelCatalog catalog, SessionCache cache)
    {
        _catalog = catalog;
        _cache = cache;
    }

    /// <summary>
    /// Looks up <paramref name="entries"/> and the <paramref name="extraNames"/> the catalog lacks in the registry
    /// (null: offline) and merges the answers; <paramref name="reporter"/> is told, as verbose text, when the registry
    /// could not answer.
    /// </summary>
    public async Task<AvailableResolution> ResolveAsync(IReadOnlyList<CatalogEntry> entries, IReadOnlyList<ModelName> extraNames,
        RegistryClient? registry, bool refresh, IOperationReporter reporter, CancellationToken ct)
    {
        var wanted = new List<(ModelName Name, CatalogEntry? Entry)>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (CatalogEntry e in entries)
        {
            if (ModelName.TryParse(e.Name, out ModelName? n, out _) && seen.Add(n!.FullName))
            {
                wanted.Add((n, e));
            }
        }

        foreach (ModelName n in extraNames)
        {
            if (seen.Add(n.FullName))
            {
                wanted.Add((n, _catalog.Find(n.FullName)));
            }
        }

        IReadOnlyDictionary<string, RegistryManifest?> answers = new Dictionary<string, RegistryManifest?>();
        var unconfirmed = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        bool reached = false;
        if (registry is not null && wanted.Count > 0)
        {
            (answers, reached) = await LookUpAsync(registry, wanted.Select(w => w.Name).ToList(), refresh, reporter ?? NullOperationReporter.Instance, unconfirmed, ct).ConfigureAwait(false);
        }

        var candidates = new List<AvailableCandidate>();
        var notFound = new List<string>();
        foreach ((ModelName name, CatalogEntry? entry) in wanted)
        {
            answers.TryGetValue(name.FullName, out RegistryManifest? manifest);
            if (entry is null && manifest is null)
            {
                notFound.Add(name.FullName);
                continue;
            }

            candidates.Add(new AvailableCandidate(name, entry, manifest));
        }

        return new AvailableResolution(candidates, notFound, reached, unconfirmed);
    }

    /// <summary>
    /// The output object for <paramref name="candidate"/> on <paramref name="host"/>, its memory planned for
    /// <paramref name="contextLength"/> (default: Ollama's) and, when <paramref name="resources"/> are known, split
    /// over that machine's GPUs and RAM and judged by that split.
    /// </summary>
    public OllamaCatalogModel Describe(AvailableCandidate candidate, string host, bool isInstalled, HostResources? resources, int? contextLength = null)
    {
        CatalogEntry? e = candidate.Entry;
        RegistryManifest? manifest = candidate.Manifest;
        ModelName name = candidate.Name;
        string? parameterSize = e?.ParameterSize ?? ParameterSizeFromTag(name.Tag);
        long? parameters = Units.ParseParameterSize(parameterSize);
        var capabilities = (e?.Capabilities ?? Array.Empty<string>()).Select(c => c.ToLowerInvariant()).ToList();
        if (manifest is { HasProjector: true } && !capabilities.Contains("vision"))
        {
            capabilities.Add("vision");
        }

        long size = manifest?.SizeBytes ?? e?.SizeBytes ?? 0;
        MemoryBudget? budget = resources is null ? null : MemoryBudget.Of(resources);
        MemoryEstimate plan = _catalog.PlanMemory(e, size, parameters, contextLength);
        plan = budget is null ? plan : MemoryEstimator.Place(plan, budget);
        IReadOnlyList<string> tasks = e is { Tasks.Length: > 0 }
            ? e.Tasks.Select(t => t.ToLowerInvariant()).ToArray()
            : TaskClassifier.TaskNames(new ModelTraits
            {
                Name = name.FullName,
                Family = e?.Family,
                Families = e?.Family is null ? Array.Empty<string>() : new[] { e.Family },
                Capabilities = capabilities,
                ParameterCount = parameters,
                SizeBytes = size,
            });
        return new OllamaCatalogModel
        {
            Name = name.FullName,
            Model = name.BaseName,
            Tag = name.Tag,
            Description = e?.Description ?? "In the Ollama library (found by the live registry look-up; not in the curated catalog).",
            Family = e?.Family,
            ParameterSizeText = parameterSize,
            ParameterCount = parameters,
            Quantization = e?.Quantization,
            SizeBytes = size,
            RequiredMemoryBytes = plan.TotalBytes,
            EstimatedMemory = plan,
            FitsMemory = budget is null ? null : MemoryEstimator.Fits(plan, budget),
            ContextLength = e?.ContextLength,
            Capabilities = capabilities,
            TaskTypes = tasks,
            IsInstalled = isInstalled,
            Source = manifest is null ? "Catalog" : "Registry",
            Digest = manifest?.Digest,
            Host = host,
            CatalogDate = _catalog.CompiledOn,
        };
    }

    /// <summary>"7B" from a tag like "7b", "1.5b-instruct-q4_K_M", "8x7b", "135m"; null when the tag says no size.</summary>
    public static string? ParameterSizeFromTag(string tag)
    {
        Match m = TagSize.Match(tag ?? string.Empty);
        if (!m.Success)
        {
            return null;
        }

        string size = m.Groups["n"].Value + m.Groups["unit"].Value.ToUpperInvariant();
        return m.Groups["experts"].Success ? m.Groups["experts"].Value + "x" + size : size;
    }

    private async Task<(IReadOnlyDictionary<string, RegistryManifest?> Answers, bool Reached)> LookUpAsync(
        RegistryClient registry, IReadOnlyList<ModelName> names, bool refresh, IOperationReporter reporter, Dictionary<string, string> unconfirmed,
        CancellationToken ct)
    {
        var answers = new Dictionary<string, RegistryManifest?>(StringComparer.OrdinalIgnoreCase);
        string offlineKey = "registry-offline:" + registry.Display.ToLowerInvariant();
        if (!refresh && _cache.TryGet(offlineKey, out string reason))
        {
            reporter.Verbose($"The registry {registry.Display} was unreachable a moment ago ({reason}); using the catalog only.");
            return (answers, false);
        }

        using var abort = CancellationTokenSource.CreateLinkedTokenSource(ct);
        using var gate = new SemaphoreSlim(MaxConcurrency);
        string? failure = null;
        bool anyAnswer = false;
        object sync = new();
        await Task.WhenAll(names.Select(async name =>
        {
            string key = "registry:" + registry.Display.ToLowerInvariant() + "|" + name.FullName.ToLowerInvariant();
            if (!refresh && _cache.TryGet(key, out RegistryAnswer cached))
            {
                lock (sync)
                {
                    answers[name.FullName] = cached.Manifest;
                    anyAnswer = true;
                }

                return;
            }

            if (name.RegistryHost is not null)
            {
                return; // Another registry (hf.co/…): not ours to ask.
            }

            try
            {
                await gate.WaitAsync(abort.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return;
            }

            try
            {
                RegistryManifest? manifest = await registry.GetManifestAsync(name, abort.Token).ConfigureAwait(false);
                _cache.Set(key, new RegistryAnswer(manifest));
                lock (sync)
                {
                    answers[name.FullName] = manifest;
                    anyAnswer = true;
                }
            }
            catch (OllamaException ex) when (ex.Kind is OllamaErrorKind.Unreachable or OllamaErrorKind.Timeout)
            {
                lock (sync)
                {
                    failure ??= ex.Message;
                }

                abort.Cancel();
            }
            catch (OllamaException ex)
            {
                lock (sync)
                {
                    unconfirmed[name.FullName] = ex.Message;
                }

                reporter.Verbose($"The registry could not confirm {name.FullName}: {ex.Message}");
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Another look-up found the registry unreachable.
            }
            finally
            {
                gate.Release();
            }
        })).ConfigureAwait(false);

        ct.ThrowIfCancellationRequested();
        if (failure is not null)
        {
            _cache.Set(offlineKey, failure, OfflineFor);
            reporter.Verbose($"The registry {registry.Display} is not reachable ({failure}); using the catalog only.");
        }

        return (answers, anyAnswer || failure is null);
    }

    /// <summary>A cached registry answer; a null manifest means "not in the registry".</summary>
    private sealed class RegistryAnswer
    {
        public RegistryAnswer(RegistryManifest? manifest) => Manifest = manifest;

        public RegistryManifest? Manifest { get; }
    }
}
