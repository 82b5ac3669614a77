using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Catalog;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Resources;
using ElixiModels.Selection;
using ElixiModels.Session;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Commands;

/// <summary>
/// Lists installed models (default; -Detailed adds capabilities and model_info from /api/show, cached in the session
/// by digest), models loaded in memory (-Loaded), models that can be downloaded (-Available: the shipped catalog
/// confirmed by the live registry when it can be reached), or installed models with an update (-Outdated).
/// </summary>
[Cmdlet(VerbsCommon.Get, "OllamaModel", DefaultParameterSetName = InstalledSet, HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Get-OllamaModel.md")]
[OutputType(typeof(OllamaModel), ParameterSetName = new[] { InstalledSet })]
[OutputType(typeof(OllamaRunningModel), ParameterSetName = new[] { LoadedSet })]
[OutputType(typeof(OllamaCatalogModel), ParameterSetName = new[] { AvailableSet })]
[OutputType(typeof(OllamaModel), ParameterSetName = new[] { OutdatedSet })]
public sealed class GetOllamaModelCommand : OllamaCmdlet
{
    private const string InstalledSet = "Installed";
    private const string LoadedSet = "Loaded";
    private const string OutdatedSet = "Outdated";
    private const string AvailableSet = "Available";
    private static readonly TimeSpan RegistryTimeout = TimeSpan.FromSeconds(3);
    private readonly List<(Uri? From, string Name)> _names = new();
    private bool _nameGiven;

    /// <summary>Model names; wildcards allowed. A name without a tag matches every tag of that model.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ModelNameCompleter))]
    public string[]? Name { get; set; }

    /// <summary>List what /api/ps says is in memory, with CPU/GPU placement and expiry.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LoadedSet)]
    public SwitchParameter Loaded { get; set; }

    /// <summary>
    /// Only installed models whose registry version differs from the local one (compares manifest digests). Update
    /// them with: Get-OllamaModel -Outdated | Install-OllamaModel -Force. Models that could not be checked are named
    /// in a warning.
    /// </summary>
    [Parameter(Mandatory = true, ParameterSetName = OutdatedSet)]
    public SwitchParameter Outdated { get; set; }

    /// <summary>Fill in capabilities, context and embedding length, template and parameters (from /api/show, cached by digest).</summary>
    [Parameter(ParameterSetName = InstalledSet)]
    public SwitchParameter Detailed { get; set; }

    /// <summary>
    /// With -Detailed or -Available: the context length (tokens) to plan memory for in EstimatedMemory, and, with
    /// -FitsMemory, to judge the fit by. Default: the Modelfile's num_ctx, else Ollama's default (4096).
    /// </summary>
    [Parameter(ParameterSetName = InstalledSet)]
    [Parameter(ParameterSetName = AvailableSet)]
    [ValidateRange(1, 16_777_216)]
    public int ContextLength { get; set; }

    /// <summary>List models that can be downloaded: the shipped catalog, confirmed by the live registry when reachable.</summary>
    [Parameter(Mandatory = true, ParameterSetName = AvailableSet)]
    public SwitchParameter Available { get; set; }

    // The -Available filters and -RegistryUri are also in the default (Installed) set: a parameter only in another set
    // would move plain Get-OllamaModel out of its default set as soon as $PSDefaultParameterValues names it
    // (AmbiguousParameterSet). Typed without -Available/-Outdated, they are an error (RejectInapplicable).

    /// <summary>Only models suited to this task (general, coding, analysis, creative, fast, vision, embedding, tools). With -Available.</summary>
    [Parameter(ParameterSetName = AvailableSet)]
    [Parameter(ParameterSetName = InstalledSet)]
    public ModelTask? Task { get; set; }

    /// <summary>Only models with all of these capabilities (completion, tools, insert, vision, embedding, thinking). With -Available.</summary>
    [Parameter(ParameterSetName = AvailableSet)]
    [Parameter(ParameterSetName = InstalledSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CapabilityCompleter))]
    public string[]? Capability { get; set; }

    /// <summary>
    /// Only models whose download is at most this many bytes. PowerShell's 5GB is 5 GiB (5 × 1024³ bytes), the unit
    /// sizes are shown in. With -Available.
    /// </summary>
    [Parameter(ParameterSetName = AvailableSet)]
    [Parameter(ParameterSetName = InstalledSet)]
    [ValidateRange(1L, long.MaxValue)]
    public long MaxSize { get; set; }

    /// <summary>Only models that fit this machine's available RAM plus free VRAM, with headroom. With -Available.</summary>
    [Parameter(ParameterSetName = AvailableSet)]
    [Parameter(ParameterSetName = InstalledSet)]
    public SwitchParameter FitsMemory { get; set; }

    /// <summary>
    /// The model registry: -Available confirms the catalog against it, -Outdated compares digests with it.
    /// Defaults to $env:ELIXI_REGISTRY, else https://registry.ollama.ai.
    /// </summary>
    [Parameter(ParameterSetName = AvailableSet)]
    [Parameter(ParameterSetName = OutdatedSet)]
    [Parameter(ParameterSetName = InstalledSet)]
    [ValidateNotNullOrEmpty]
    public string? RegistryUri { get; set; }

    /// <summary>Use the shipped catalog only; do not ask the registry. With -Available.</summary>
    [Parameter(ParameterSetName = AvailableSet)]
    [Parameter(ParameterSetName = InstalledSet)]
    public SwitchParameter Offline { get; set; }

    /// <summary>Read details (-Detailed) or registry answers (-Available) again instead of using the session cache.</summary>
    [Parameter(ParameterSetName = InstalledSet)]
    [Parameter(ParameterSetName = AvailableSet)]
    public SwitchParameter Refresh { get; set; }

    protected override void BeginProcessing()
    {
        RejectInapplicable();
        base.BeginProcessing();
    }

    /// <summary>A typed parameter that the chosen mode does not use is an error, never silently ignored; a default is ignored.</summary>
    private void RejectInapplicable()
    {
        if (Available)
        {
            if (Capability is not null)
            {
                string[] unknown = Capability.Where(c => !CapabilityCompleter.Known.Contains(c, StringComparer.OrdinalIgnoreCase)).ToArray();
                if (unknown.Length > 0)
                {
                    ThrowTerminatingError(OllamaErrors.Build(
                        new ArgumentException($"Unknown capability: {string.Join(", ", unknown.Select(u => "'" + u + "'"))}. Ollama reports {string.Join(", ", CapabilityCompleter.Known)}."),
                        "UnknownCapability", ErrorCategory.InvalidArgument, unknown,
                        $"Pass -Capability as one or more of: {string.Join(", ", CapabilityCompleter.Known)}."));
                }
            }

            return;
        }

        string mode = Outdated ? "-Outdated" : Loaded ? "-Loaded" : "a listing of installed models";
        string[] availableOnly = Outdated
            ? new[] { nameof(Task), nameof(Capability), nameof(MaxSize), nameof(FitsMemory), nameof(Offline) }
            : new[] { nameof(Task), nameof(Capability), nameof(MaxSize), nameof(FitsMemory), nameof(Offline), nameof(RegistryUri) };
        string[] typed = availableOnly.Where(GivenExplicitly).ToArray();
        if (typed.Length > 0)
        {
            string list = string.Join(", ", typed.Select(t => "-" + t));
            ThrowTerminatingError(OllamaErrors.Build(
                new ArgumentException($"{list} {(typed.Length == 1 ? "is" : "are")} used only with -Available{(typed.Contains(nameof(RegistryUri)) ? " or -Outdated" : string.Empty)}, not by {mode}."),
                "ParameterNeedsAvailable", ErrorCategory.InvalidArgument, list,
                typed.SequenceEqual(new[] { nameof(RegistryUri) })
                    ? "Add -Available (or -Outdated) to use -RegistryUri."
                    : $"Add -Available, e.g. Get-OllamaModel -Available {list.Split(',')[0]} ..."));
        }
    }

    protected override void ProcessRecord()
    {
        if (Name is not null)
        {
            _nameGiven = true;
            Uri? from = PipedEndpoint;
            _names.AddRange(AcceptNames(Name).Select(n => (from, n)));
        }
    }

    protected override void EndProcessing()
    {
        if (_nameGiven && _names.Count == 0)
        {
            // Every name was invalid (and reported): listing everything instead would surprise a script.
            return;
        }

        if (Available)
        {
            WriteAvailable(new ModelNameFilter(_names.Select(n => n.Name)));
            return;
        }

        // Names piped from several servers are looked up on the server each came from, each with its own names.
        IReadOnlyList<(Uri Endpoint, IReadOnlyList<string> Items)> groups = _names.Count == 0
            ? ConfiguredEndpoints.Select(e => (e, (IReadOnlyList<string>)Array.Empty<string>())).ToList()
            : ByHost(_names.Select(n => (n.From, n.Name)));
        _namesByHost = groups.ToDictionary(g => HostOf(g.Endpoint), g => g.Items, StringComparer.OrdinalIgnoreCase);
        IReadOnlyList<Uri> endpoints = groups.Select(g => g.Endpoint).ToList();
        if (Outdated)
        {
            _registry = new RegistryClient(ResolveRegistry(), TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : null);
            RunPerHost(endpoints, WriteOutdatedAsync);
        }
        else if (Loaded)
        {
            RunPerHost(endpoints, WriteLoadedAsync);
        }
        else
        {
            RunPerHost(endpoints, WriteInstalledAsync);
        }
    }

    private Dictionary<string, IReadOnlyList<string>> _namesByHost = new();
    private RegistryClient? _registry;

    private async Task WriteLoadedAsync(PipelineBridge bridge, OllamaClient client, CancellationToken ct)
    {
        IReadOnlyList<WireRunningModel> running = await client.ListRunningAsync(ct).ConfigureAwait(false);
        DateTimeOffset now = DateTimeOffset.UtcNow;
        NameResolution<WireRunningModel> asked = NameResolution<WireRunningModel>.Of(_namesByHost[client.Host], running, r => r.Name);
        foreach (WireRunningModel m in running.Where(asked.Contains))
        {
            bridge.WriteObject(OllamaRunningModel.FromWire(m, client.Host, now));
        }
    }

    private async Task WriteInstalledAsync(PipelineBridge bridge, OllamaClient client, CancellationToken ct)
    {
        ServerInventory inventory = await ServerInventory.ReadAsync(client, withRunning: true, ct).ConfigureAwait(false);
        NameResolution<WireModel> asked = inventory.Resolve(_namesByHost[client.Host]);
        WarnIfLoadedUnknown(inventory, bridge);
        ISet<string> loaded = inventory.LoadedNames;
        Session.SetInstalledNames(client.Host, inventory.InstalledNames.ToArray());
        // Listed in the server's order (newest first), whatever order the names were typed in.
        List<WireModel> matching = inventory.Installed.Where(asked.Contains).ToList();
        // Capabilities classify every listing (TaskTypes must not change with -Detailed). Ollama 0.30+ lists them in
        // /api/tags; older servers need /api/show, once per model digest and session through the session cache.
        if (!Detailed && matching.All(m => m.Capabilities is not null))
        {
            foreach (WireModel m in matching)
            {
                bridge.WriteObject(OllamaModel.FromWire(m, client.Host, loaded, ModelDetails.FromTags(m), detailed: false));
            }

            matching.Clear();
        }

        MemoryBudget? budget = Detailed ? await MemoryPlan.MachineBudgetAsync(inventory, HostResourceProbe.Shared, ct).ConfigureAwait(false) : null;
        IReadOnlyList<DetailsResult> read = await Session.Details.GetManyAsync(client, matching, Refresh, ct).ConfigureAwait(false);
        if (read.Count > 0)
        {
            bridge.WriteVerbose(DetailsResult.Describe(read, client.Host));
        }

        foreach (DetailsResult result in read)
        {
            if (result.Error is { } error)
            {
                bridge.WriteWarning($"Could not read the details of {result.Model.Name} from {client.Host}; it is listed without them and its TaskTypes come from its name and size only: {error.Message}");
            }

            OllamaModel model = OllamaModel.FromWire(result.Model, client.Host, loaded, result.Details, Detailed);
            if (Detailed && result.Details is { } details && !model.IsCloud)
            {
                model.EstimatedMemory = MemoryPlan.Estimate(details, model.SizeBytes, ContextLength > 0 ? ContextLength : null, budget);
                model.MaxContextLength = budget is { } b ? MemoryPlan.MaxContext(details, model.SizeBytes, b) : null;
            }

            bridge.WriteObject(model);
        }

        WriteNotInstalled(asked, inventory, bridge);
    }

    private static void WarnIfLoadedUnknown(ServerInventory inventory, PipelineBridge bridge)
    {
        if (inventory.RunningProblem is { } problem)
        {
            // The list is still right without IsLoaded; say why it may be false.
            bridge.WriteWarning($"Could not read loaded models from {inventory.Host}; IsLoaded may be wrong: {problem}");
        }
    }

    private static void WriteNotInstalled(NameResolution<WireModel> asked, ServerInventory inventory, PipelineBridge bridge)
    {
        foreach (string missing in asked.Unmatched)
        {
            bridge.WriteError(OllamaErrors.ModelNotInstalled(missing, inventory.Host, inventory.InstalledNames));
        }
    }

    private void WriteAvailable(ModelNameFilter filter)
    {
        RegistryClient? registry = Offline ? null : new RegistryClient(ResolveRegistry(), TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : RegistryTimeout);
        var available = new AvailableModels(ModelCatalog.Default, Session.Cache);
        var query = new AvailableFilter
        {
            Task = Task,
            Capabilities = Capability ?? Array.Empty<string>(),
            MaxSize = MaxSize > 0 ? MaxSize : null,
            FitsMemory = FitsMemory,
        };

        // Filter the catalog on what the registry cannot change before asking it; names it lacks are looked up.
        List<CatalogEntry> entries = ModelCatalog.Default.Entries
            .Where(e => filter.Matches(e.Name) && ModelName.TryParse(e.Name, out ModelName? n, out _)
                && query.MatchesTraits(available.Describe(new AvailableCandidate(n!, e, null), string.Empty, false, null)))
            .ToList();
        var extra = new List<ModelName>();
        foreach (string literal in filter.Unmatched())
        {
            if (ModelName.TryParse(literal, out ModelName? parsed, out string? problem))
            {
                extra.Add(parsed!);
            }
            else
            {
                WriteError(OllamaErrors.InvalidModelName(literal, problem!));
            }
        }

        Run(async (bridge, ct) =>
        {
            AvailableResolution found = await available.ResolveAsync(entries, extra, registry, Refresh, new BridgeReporter(bridge), ct).ConfigureAwait(false);
            HostResources? resources = await ReadResourcesAsync(bridge, ct).ConfigureAwait(false);
            foreach (string missing in found.NotFound)
            {
                bridge.WriteError(found.Unconfirmed.TryGetValue(missing, out string? why)
                    ? NotConfirmed(missing, why, registry!)
                    : NotInLibrary(missing, found.RegistryReached, registry));
            }

            await System.Threading.Tasks.Task.WhenAll(Endpoints.Select(async endpoint =>
            {
                OllamaClient client = ClientFor(endpoint);
                HashSet<string> installed = await InstalledNamesAsync(client, bridge, ct).ConfigureAwait(false);
                // This machine's memory says nothing about another machine's: for a remote server FitsMemory is unknown.
                bool local = OllamaEndpoint.IsLocal(endpoint);
                if (!local && FitsMemory)
                {
                    bridge.WriteWarning($"{client.Host} is not this machine, and its memory is not known: whether a model fits it is unknown " +
                        "(FitsMemory is empty), so -FitsMemory filtered nothing out for it.");
                }

                foreach (AvailableCandidate candidate in found.Candidates)
                {
                    OllamaCatalogModel model = available.Describe(candidate, client.Host, installed.Contains(candidate.Name.FullName), local ? resources : null,
                        ContextLength > 0 ? ContextLength : null);
                    if (query.Matches(model))
                    {
                        bridge.WriteObject(model);
                    }
                }
            })).ConfigureAwait(false);
        });
    }

    private async Task<HostResources?> ReadResourcesAsync(PipelineBridge bridge, CancellationToken ct)
    {
        try
        {
            return await HostResourceProbe.Shared.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            string text = $"Could not read this machine's memory ({ex.Message})";
            if (FitsMemory)
            {
                bridge.WriteWarning(text + "; -FitsMemory was not applied.");
            }
            else
            {
                bridge.WriteVerbose(text + "; FitsMemory is empty.");
            }

            return null;
        }
    }

    private static async Task<HashSet<string>> InstalledNamesAsync(OllamaClient client, PipelineBridge bridge, CancellationToken ct)
    {
        try
        {
            IReadOnlyList<WireModel> installed = await client.ListInstalledAsync(ct).ConfigureAwait(false);
            return new HashSet<string>(installed.Select(m => ModelName.Normalize(m.Name)), StringComparer.OrdinalIgnoreCase);
        }
        catch (OllamaException ex)
        {
            // The catalog is still useful without the server; say why IsInstalled may be wrong.
            bridge.WriteWarning($"Could not read installed models from {client.Host}; IsInstalled may be wrong: {ex.Message}");
            return new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        }
    }

    private Uri ResolveRegistry()
    {
        try
        {
            Uri registry = RegistryClient.Resolve(RegistryUri);
            string? given = string.IsNullOrWhiteSpace(RegistryUri) ? Environment.GetEnvironmentVariable(RegistryClient.RegistryVariable) : RegistryUri;
            if (!string.IsNullOrWhiteSpace(given) && given!.IndexOf("://", StringComparison.Ordinal) < 0)
            {
                WriteWarning($"The registry address '{given.Trim()}' has no scheme; using {registry.GetLeftPart(UriPartial.Authority)}. Write http://{given.Trim()} for a registry without TLS.");
            }

            return registry;
        }
        catch (FormatException ex)
        {
            ThrowTerminatingError(OllamaErrors.Build(ex, "InvalidRegistryUri", ErrorCategory.InvalidArgument,
                RegistryUri ?? Environment.GetEnvironmentVariable(RegistryClient.RegistryVariable),
                $"Pass -RegistryUri (or set ${RegistryClient.RegistryVariable}) as http(s)://host[:port]."));
            throw;
        }
    }

    private static ErrorRecord NotConfirmed(string name, string why, RegistryClient registry)
    {
        var ex = new InvalidOperationException(
            $"'{name}' is not in the catalog, and the registry {registry.Display} could not confirm whether it has it: {why}");
        return OllamaErrors.Build(ex, "RegistryCouldNotConfirm", ErrorCategory.InvalidResult, name,
            $"Check that {registry.Display} is the registry you meant (-RegistryUri or ${RegistryClient.RegistryVariable}) and that it is healthy, then run the command again.");
    }

    private static ErrorRecord NotInLibrary(string name, bool registryReached, RegistryClient? registry)
    {
        string where = registry is null
            ? "in the catalog (-Offline: the registry was not asked)"
            : registryReached
                ? $"in the catalog or the registry {registry.Display}"
                : $"in the catalog, and the registry {registry.Display} could not be reached";
        var ex = new ItemNotFoundException($"No model named '{name}' was found {where}.");
        return OllamaErrors.Build(ex, "ModelNotAvailable", ErrorCategory.ObjectNotFound, name,
            "List downloadable models with Get-OllamaModel -Available, or check the name on ollama.com/library.");
    }

    private async Task WriteOutdatedAsync(PipelineBridge bridge, OllamaClient client, CancellationToken ct)
    {
        RegistryClient registry = _registry!;
        var checker = new UpdateChecker(registry);
        ServerInventory inventory = await ServerInventory.ReadAsync(client, withRunning: true, ct).ConfigureAwait(false);
        NameResolution<WireModel> asked = inventory.Resolve(_namesByHost[client.Host]);
        List<WireModel> installed = inventory.Installed.Where(asked.Contains).ToList();
        IReadOnlyList<UpdateCheck> checks = await checker.CheckAsync(installed, ct).ConfigureAwait(false);
        WarnIfLoadedUnknown(inventory, bridge);
        ISet<string> loaded = inventory.LoadedNames;
        for (int i = 0; i < installed.Count; i++)
        {
            UpdateCheck check = checks[i];
            switch (check.Status)
            {
                case UpdateStatus.Outdated:
                    bridge.WriteVerbose($"{check.Name}: installed {Units.ShortDigest(check.LocalDigest)}, {checker.Registry} has {Units.ShortDigest(check.RemoteDigest!)}.");
                    OllamaModel outdated = OllamaModel.FromWire(installed[i], client.Host, loaded, await CapabilitiesAsync(client, installed[i], ct).ConfigureAwait(false), detailed: false);
                    outdated.RemoteDigest = check.RemoteDigest;
                    outdated.UpdateBytes = await UpdateSizeAsync(client, registry, check.Name, bridge, ct).ConfigureAwait(false);
                    var shown = PSObject.AsPSObject(outdated);
                    shown.TypeNames.Insert(0, OutdatedTypeName);
                    bridge.WriteObject(shown);
                    break;
                case UpdateStatus.UpToDate:
                    bridge.WriteVerbose($"{check.Name}: up to date ({Units.ShortDigest(check.LocalDigest)}).");
                    break;
                case UpdateStatus.NotInRegistry:
                    bridge.WriteVerbose($"{check.Name}: not in {checker.Registry} (created locally, or removed upstream); not checked.");
                    break;
                case UpdateStatus.Skipped:
                    bridge.WriteVerbose($"{check.Name}: not checked: {check.Problem}.");
                    break;
            }
        }

        foreach (IGrouping<string?, UpdateCheck> failed in checks.Where(c => c.Status == UpdateStatus.Failed).GroupBy(c => c.Problem))
        {
            bridge.WriteWarning($"Could not check {string.Join(", ", failed.Select(c => c.Name))} on {client.Host} for updates: {failed.Key}.");
        }

        WriteNotInstalled(asked, inventory, bridge);
    }

    /// <summary>The details that classify a model (from the session cache); null when the server cannot say.</summary>
    private async Task<ModelDetails?> CapabilitiesAsync(OllamaClient client, WireModel model, CancellationToken ct)
    {
        if (ModelDetails.FromTags(model) is { } listed)
        {
            return listed;
        }

        try
        {
            return await Session.Details.GetAsync(client, model.Name, model.Digest, false, ct).ConfigureAwait(false);
        }
        catch (OllamaException)
        {
            return null;
        }
    }

    internal const string OutdatedTypeName = "ElixiModels.Models.OllamaModel#Outdated";

    /// <summary>What updating <paramref name="name"/> downloads: the registry manifest's layers the server lacks; null when unknown.</summary>
    private static async Task<long?> UpdateSizeAsync(OllamaClient client, RegistryClient registry, string name, PipelineBridge bridge, CancellationToken ct)
    {
        try
        {
            if (ModelName.TryParse(name, out ModelName? parsed, out _) && await registry.GetManifestAsync(parsed!, ct).ConfigureAwait(false) is { } manifest)
            {
                return await Lifecycle.PullPreflight.MissingBytesAsync(client, manifest, ct).ConfigureAwait(false);
            }
        }
        catch (OllamaException ex)
        {
            bridge.WriteVerbose($"{name}: the size of the update is unknown: {ex.Message}");
        }

        return null;
    }
}
