using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Catalog;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Commands;

/// <summary>Lists installed models (default), models loaded in memory (-Loaded), installed models with an update (-Outdated).</summary>
[Cmdlet(VerbsCommon.Get, "OllamaModel", DefaultParameterSetName = InstalledSet)]
[OutputType(typeof(OllamaModel), ParameterSetName = new[] { InstalledSet })]
[OutputType(typeof(OllamaRunningModel), ParameterSetName = new[] { LoadedSet })]
[OutputType(typeof(OllamaModel), ParameterSetName = new[] { OutdatedSet })]
public sealed class GetOllamaModelCommand : OllamaCmdlet
{
    private const string InstalledSet = "Installed";
    private const string LoadedSet = "Loaded";
    private const string OutdatedSet = "Outdated";
    private readonly List<string> _names = new();

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

    /// <summary>The registry to compare with. Default: $env:ELIXI_REGISTRY, else https://registry.ollama.ai.</summary>
    [Parameter(ParameterSetName = OutdatedSet)]
    [ValidateNotNullOrEmpty]
    public string? RegistryUri { get; set; }

    protected override void ProcessRecord()
    {
        if (Name is not null)
        {
            _names.AddRange(Name);
        }
    }

    protected override void EndProcessing()
    {
        var filter = new ModelNameFilter(_names);
        if (Outdated)
        {
            WriteOutdated(filter);
            return;
        }

        RunPerHost(async (bridge, client, ct) =>
        {
            if (Loaded)
            {
                IReadOnlyList<WireRunningModel> running = await client.ListRunningAsync(ct).ConfigureAwait(false);
                DateTimeOffset now = DateTimeOffset.UtcNow;
                foreach (OllamaRunningModel m in running.Select(r => OllamaRunningModel.FromWire(r, client.Host, now)).Where(m => filter.Matches(m.Name)))
                {
                    bridge.WriteObject(m);
                }

                return;
            }

            Task<IReadOnlyList<WireRunningModel>> psTask = client.ListRunningAsync(ct);
            IReadOnlyList<WireModel> installed = await client.ListInstalledAsync(ct).ConfigureAwait(false);
            HashSet<string> loaded = await LoadedNamesAsync(psTask, bridge, client).ConfigureAwait(false);
            Session.SetInstalledNames(client.Host, installed.Select(m => ModelName.Normalize(m.Name)).ToArray());
            foreach (WireModel wire in installed)
            {
                OllamaModel model = OllamaModel.FromWire(wire, client.Host, loaded);
                if (filter.Matches(model.Name))
                {
                    bridge.WriteObject(model);
                }
            }

            foreach (string missing in filter.Unmatched())
            {
                bridge.WriteError(NotFound(missing, client.Host, installed.Select(m => m.Name)));
            }
        });
    }

    private static async Task<HashSet<string>> LoadedNamesAsync(Task<IReadOnlyList<WireRunningModel>> psTask, PipelineBridge bridge, OllamaClient client)
    {
        try
        {
            IReadOnlyList<WireRunningModel> running = await psTask.ConfigureAwait(false);
            return new HashSet<string>(running.Select(r => ModelName.Normalize(r.Name)), StringComparer.OrdinalIgnoreCase);
        }
        catch (OllamaException ex)
        {
            // The list is still right without IsLoaded; say why it may be false.
            bridge.WriteWarning($"Could not read loaded models from {client.Host}; IsLoaded may be wrong: {ex.Message}");
            return new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        }
    }

    private void WriteOutdated(ModelNameFilter filter)
    {
        Uri registry = null!;
        try
        {
            registry = RegistryClient.Resolve(RegistryUri);
        }
        catch (FormatException ex)
        {
            ThrowTerminatingError(OllamaErrors.Build(ex, "InvalidRegistryUri", ErrorCategory.InvalidArgument,
                RegistryUri ?? Environment.GetEnvironmentVariable(RegistryClient.RegistryVariable),
                $"Pass -RegistryUri as https://host[:port], or fix $env:{RegistryClient.RegistryVariable}."));
        }

        var checker = new UpdateChecker(new RegistryClient(registry, TimeoutSec > 0 ? TimeSpan.FromSeconds(TimeoutSec) : null));
        RunPerHost(async (bridge, client, ct) =>
        {
            Task<IReadOnlyList<WireRunningModel>> psTask = client.ListRunningAsync(ct);
            IReadOnlyList<WireModel> all = await client.ListInstalledAsync(ct).ConfigureAwait(false);
            List<WireModel> installed = all.Where(m => filter.Matches(ModelName.Normalize(m.Name))).ToList();
            IReadOnlyList<UpdateCheck> checks = await checker.CheckAsync(installed, ct).ConfigureAwait(false);
            HashSet<string> loaded = await LoadedNamesAsync(psTask, bridge, client).ConfigureAwait(false);
            for (int i = 0; i < installed.Count; i++)
            {
                UpdateCheck check = checks[i];
                switch (check.Status)
                {
                    case UpdateStatus.Outdated:
                        bridge.WriteVerbose($"{check.Name}: installed {Units.ShortDigest(check.LocalDigest)}, {checker.Registry} has {Units.ShortDigest(check.RemoteDigest!)}.");
                        bridge.WriteObject(OllamaModel.FromWire(installed[i], client.Host, loaded));
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

            foreach (string missing in filter.Unmatched())
            {
                bridge.WriteError(NotFound(missing, client.Host, all.Select(m => m.Name)));
            }
        });
    }

    internal static ErrorRecord NotFound(string name, string host, IEnumerable<string> known, string? recommendedAction = null)
    {
        IReadOnlyList<string> similar = NameSuggestions.Similar(name, known);
        string hint = similar.Count > 0 ? $" Did you mean: {string.Join(", ", similar)}?" : string.Empty;
        var ex = new ItemNotFoundException($"No model named '{name}' is installed on {host}.{hint}");
        return OllamaErrors.Build(ex, "ModelNotFound", ErrorCategory.ObjectNotFound, name,
            recommendedAction ?? $"List installed models with Get-OllamaModel, or install it with: Install-OllamaModel -Name '{name}'");
    }
}
