using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using System.Threading;
using ElixiModels.Lifecycle;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;

namespace ElixiModels.Commands;

/// <summary>
/// Unloads models from a server's memory, as `ollama stop` does (keep_alive 0), and confirms with /api/ps that each
/// is gone. -All unloads everything loaded. A model that is installed but not loaded is nothing to do; a name that is
/// not installed is an error. Stopping the session's active model means the session has no active model there.
/// Outputs nothing unless -PassThru.
/// </summary>
[Cmdlet(VerbsLifecycle.Stop, "OllamaModel", SupportsShouldProcess = true, DefaultParameterSetName = NameSet)]
[OutputType(typeof(ModelStopResult))]
public sealed class StopOllamaModelCommand : OllamaCmdlet
{
    private static readonly string[] EveryName = { "*" };

    private List<string> _names = new();

    private const string NameSet = "Name";
    private const string AllSet = "All";

    /// <summary>Models to unload; wildcards allowed. Binds the Name (and Host) of piped objects, e.g. Get-OllamaModel -Loaded.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true, ParameterSetName = NameSet)]
    [ValidateNotNullOrEmpty]
    [SupportsWildcards]
    [ArgumentCompleter(typeof(ModelNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Unload every model loaded on the server(s).</summary>
    [Parameter(Mandatory = true, ParameterSetName = AllSet)]
    public SwitchParameter All { get; set; }

    /// <summary>Output a ModelStopResult for each model unloaded.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        _names = All ? new List<string>() : AcceptNames(Name);
        if (!All && _names.Count == 0)
        {
            return;
        }

        RunPerHost(StopAsync);
    }

    private async Task StopAsync(PipelineBridge bridge, OllamaClient client, CancellationToken ct)
    {
        ServerInventory inventory = await ServerInventory.ReadAsync(client, withRunning: true, ct).ConfigureAwait(false);
        if (inventory.RunningFailure is { } psFailure)
        {
            throw psFailure;
        }

        var targets = new List<WireRunningModel>();
        foreach (NameMatch<WireRunningModel> asked in inventory.ResolveLoaded(All ? EveryName : _names).PerName)
        {
            if (asked.Models.Count == 0 && !asked.IsPattern)
            {
                if (inventory.Find(asked.Name) is not null)
                {
                    bridge.WriteVerbose($"{ModelName.Normalize(asked.Name)} is not loaded on {client.Host}; nothing to unload.");
                }
                else
                {
                    bridge.WriteError(OllamaErrors.ModelNotInstalled(asked.Name, client.Host, inventory.InstalledNames,
                        "List loaded models with Get-OllamaModel -Loaded, installed ones with Get-OllamaModel."));
                }
            }

            targets.AddRange(asked.Models.Where(m => !targets.Any(t => ModelName.SameModel(t.Name, m.Name))));
        }

        if (targets.Count == 0)
        {
            bridge.WriteVerbose(All ? $"No model is loaded on {client.Host}." : $"No matching model is loaded on {client.Host}.");
            return;
        }

        var stopper = new ModelStopper(client);
        if (TimeoutSec > 0)
        {
            stopper.VerifyTimeout = TimeSpan.FromSeconds(TimeoutSec);
        }

        foreach (WireRunningModel model in targets)
        {
            string full = ModelName.Normalize(model.Name);
            bool active = ModelName.SameModel(Session.GetActiveModel(client.Host), full);
            string what = $"Unload from memory ({Units.Bytes(model.Size)}{(active ? ", the session's active model" : string.Empty)})";
            if (!await bridge.ShouldProcessAsync($"{full} on {client.Host}", what).ConfigureAwait(false))
            {
                continue;
            }

            (bool unloaded, TimeSpan elapsed) result;
            try
            {
                result = await stopper.StopAsync(model, ct).ConfigureAwait(false);
            }
            catch (OllamaException ex)
            {
                bridge.WriteError(OllamaErrors.From(ex, full));
                continue;
            }

            if (active)
            {
                // Asked to stop, so it no longer is the session's active model, even if the server is slow to let go.
                Session.SetActiveModel(client.Host, null);
                bridge.WriteVerbose($"{full} was the session's active model on {client.Host}; there is no active model there now.");
            }

            if (!result.unloaded)
            {
                var busy = new TimeoutException($"{full} was asked to unload from {client.Host}, but /api/ps still listed it after {Units.Duration(result.elapsed)}.");
                bridge.WriteError(OllamaErrors.Build(busy, "ModelNotUnloaded", ErrorCategory.OperationTimeout, full,
                    "A model answering a request stays loaded until the request ends; it unloads then. Check with Get-OllamaModel -Loaded, or wait longer with -TimeoutSec."));
                continue;
            }

            bridge.WriteVerbose($"Unloaded {full} from {client.Host} in {Units.Duration(result.elapsed)} (freed {Units.Bytes(model.Size)}).");
            if (PassThru)
            {
                bridge.WriteObject(new ModelStopResult
                {
                    Name = full,
                    Host = client.Host,
                    WasActive = active,
                    FreedBytes = model.Size,
                    FreedVramBytes = model.SizeVram,
                    StopTime = result.elapsed,
                });
            }
        }
    }
}
