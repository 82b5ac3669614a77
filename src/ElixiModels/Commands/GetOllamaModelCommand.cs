using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Commands;

/// <summary>Lists installed models (default), models loaded in memory (-Loaded).</summary>
[Cmdlet(VerbsCommon.Get, "OllamaModel", DefaultParameterSetName = InstalledSet)]
[OutputType(typeof(OllamaModel), ParameterSetName = new[] { InstalledSet })]
[OutputType(typeof(OllamaRunningModel), ParameterSetName = new[] { LoadedSet })]
public sealed class GetOllamaModelCommand : OllamaCmdlet
{
    private const string InstalledSet = "Installed";
    private const string LoadedSet = "Loaded";
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

    internal static ErrorRecord NotFound(string name, string host, IEnumerable<string> known)
    {
        IReadOnlyList<string> similar = NameSuggestions.Similar(name, known);
        string hint = similar.Count > 0 ? $" Did you mean: {string.Join(", ", similar)}?" : string.Empty;
        var ex = new ItemNotFoundException($"No model named '{name}' is installed on {host}.{hint}");
        return OllamaErrors.Build(ex, "ModelNotFound", ErrorCategory.ObjectNotFound, name,
            $"List installed models with Get-OllamaModel, or install it with: Install-OllamaModel -Name '{name}'");
    }
}
