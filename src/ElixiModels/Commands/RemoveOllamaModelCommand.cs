using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using System.Threading;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;

namespace ElixiModels.Commands;

/// <summary>
/// Deletes installed models (unloading them first if loaded). Asks for confirmation; refuses to delete the session's
/// active model unless -Force. A name without a tag means ":latest", as in `ollama rm`; wildcards select several.
/// </summary>
[Cmdlet(VerbsCommon.Remove, "OllamaModel", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High, HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Remove-OllamaModel.md")]
[OutputType(typeof(OllamaModel))]
public sealed class RemoveOllamaModelCommand : OllamaCmdlet
{
    private List<string> _names = new();

    /// <summary>Models to delete; wildcards allowed. Binds objects with a Name property (e.g. from Get-OllamaModel).</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ModelNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Also delete the session's active model.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Output each deleted model.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        _names = AcceptNames(Name);
        if (_names.Count == 0)
        {
            return;
        }

        RunPerHost(RemoveAsync);
    }

    private async Task RemoveAsync(PipelineBridge bridge, OllamaClient client, CancellationToken ct)
    {
        ServerInventory inventory = await ServerInventory.ReadAsync(client, withRunning: true, ct).ConfigureAwait(false);
        if (inventory.RunningProblem is { } psProblem)
        {
            bridge.WriteWarning($"Could not read loaded models from {client.Host}; loaded models are deleted without unloading first: {psProblem}");
        }

        ISet<string> loaded = inventory.LoadedNames;
        IReadOnlyList<WireModel> installed = inventory.Installed;
        var targets = new List<WireModel>();
        foreach (NameMatch<WireModel> asked in inventory.Resolve(_names).PerName)
        {
            if (!asked.IsPattern && asked.Models.Count > 1)
            {
                bridge.WriteError(OllamaErrors.AmbiguousModelName(asked.Name, client.Host, asked.Models.Select(m => ModelName.Normalize(m.Name)), "none was deleted.",
                    "Give the tag of the model to delete, or a wildcard (e.g. 'name:*') to delete every tag."));
                continue;
            }

            if (!asked.IsPattern && asked.Models.Count == 0)
            {
                bridge.WriteError(OllamaErrors.ModelNotInstalled(asked.Name, client.Host, inventory.InstalledNames, "List installed models with Get-OllamaModel."));
            }

            targets.AddRange(asked.Models.Where(m => !targets.Contains(m)));
        }

        var removed = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (WireModel model in targets)
        {
            string full = ModelName.Normalize(model.Name);
            bool active = ModelName.SameModel(Session.GetActiveModel(client.Host), full);
            if (active && !Force)
            {
                var refused = new InvalidOperationException($"{full} is the active model on {client.Host}; it was not removed.");
                bridge.WriteError(OllamaErrors.Build(refused, "ActiveModelNotRemoved", ErrorCategory.InvalidOperation, full,
                    "Switch to another model first (Switch-OllamaModel), or add -Force to remove the active model too."));
                continue;
            }

            string what = $"Delete the model ({Units.Bytes(model.Size)}{(active ? ", the session's active model" : string.Empty)})";
            if (!await bridge.ShouldProcessAsync($"{full} on {client.Host}", what).ConfigureAwait(false))
            {
                continue;
            }

            if (loaded.Contains(full))
            {
                try
                {
                    // As `ollama rm` does: free the memory before the files go.
                    await client.UnloadAsync(full, ct).ConfigureAwait(false);
                    Session.RecordUnload(client.Host, full);
                }
                catch (OllamaException ex)
                {
                    bridge.WriteWarning($"Could not unload {full} before deleting it; it stays in memory until it expires: {ex.Message}");
                }
            }

            try
            {
                await client.DeleteAsync(full, ct).ConfigureAwait(false);
            }
            catch (OllamaException ex)
            {
                bridge.WriteError(OllamaErrors.From(ex, full));
                continue;
            }

            if (active)
            {
                Session.SetActiveModel(client.Host, null);
            }

            removed.Add(full);
            bridge.WriteVerbose($"Removed {full} from {client.Host}.");
            if (PassThru)
            {
                bridge.WriteObject(OllamaModel.FromWire(model, client.Host, new HashSet<string>()));
            }
        }

        if (removed.Count > 0)
        {
            Session.SetInstalledNames(client.Host, installed.Select(m => ModelName.Normalize(m.Name)).Where(n => !removed.Contains(n)).ToArray());
        }
    }
}
