using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using System.Threading;
using ElixiModels.Catalog;
using ElixiModels.Lifecycle;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Commands;

/// <summary>
/// Makes a model the session's active model on the server: loads it (an empty request with keep_alive), reports the
/// load time, and unloads the previously active model unless -KeepPrevious. Switching to the active, loaded model
/// does nothing. Without -Name, $env:ELIXI_MODEL names the model (for scheduled tasks, which start with no session).
/// </summary>
[Cmdlet(VerbsCommon.Switch, "OllamaModel", SupportsShouldProcess = true, HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Switch-OllamaModel.md")]
[OutputType(typeof(ModelSwitchResult))]
public sealed class SwitchOllamaModelCommand : OllamaCmdlet
{
    /// <summary>The model to make active. Binds objects with a Name property. Default: $env:ELIXI_MODEL.</summary>
    [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CatalogNameCompleter))]
    public string? Name { get; set; }

    /// <summary>How long the server keeps the model loaded when idle: '10m', '1h', '30s', 'Forever' or -1, a TimeSpan or seconds. Default: the server's (5 minutes).</summary>
    [Parameter]
    [KeepAliveTransformation]
    public KeepAlive? KeepAlive { get; set; }

    /// <summary>Leave the previously active model loaded.</summary>
    [Parameter]
    public SwitchParameter KeepPrevious { get; set; }

    /// <summary>The context length to load the model with, in tokens (sent as num_ctx). Default: the Modelfile's, else the server's.</summary>
    [Parameter]
    [ValidateRange(1, 16_777_216)]
    public int ContextLength { get; set; }

    /// <summary>Install the model first if it is missing, with the same progress as Install-OllamaModel.</summary>
    [Parameter]
    public SwitchParameter AutoPull { get; set; }

    protected override void BeginProcessing()
    {
        base.BeginProcessing();
        RejectShortKeepAlive(KeepAlive);
    }

    protected override void ProcessRecord()
    {
        string? raw = Name ?? ModelSwitcher.DefaultModel();
        if (raw is null)
        {
            ThrowTerminatingError(OllamaErrors.Build(new ArgumentException("No model was named."), "ModelNameRequired", ErrorCategory.InvalidArgument, null,
                $"Pass -Name (e.g. Switch-OllamaModel llama3.2:3b), or set ${{env:{ModelSwitcher.DefaultModelVariable}}} to the model a script or scheduled task should use."));
        }

        if (!ModelName.TryParse(raw, out ModelName? parsed, out string? problem))
        {
            WriteError(OllamaErrors.InvalidModelName(raw, problem!,
                Name is null ? $"Fix ${{env:{ModelSwitcher.DefaultModelVariable}}}: it must be a model name such as llama3.2:3b." : null));
            return;
        }

        RunPerHost((bridge, client, ct) => SwitchAsync(bridge, client, raw!, parsed!, ct));
    }

    /// <summary>Switches one server to the model <paramref name="raw"/> names: resolved by the name rule, pulled first with -AutoPull.</summary>
    private async Task SwitchAsync(PipelineBridge bridge, OllamaClient client, string raw, ModelName parsed, CancellationToken ct)
    {
        string name = parsed.FullName;
        ServerInventory inventory = await ServerInventory.ReadAsync(client, withRunning: false, ct).ConfigureAwait(false);
        IReadOnlyList<string> found = inventory.Resolve(new[] { raw }).Models.Select(m => ModelName.Normalize(m.Name)).ToList();
        if (found.Count > 1)
        {
            bridge.WriteError(OllamaErrors.AmbiguousModelName(raw, client.Host, found, $"there is no {name}.", $"Give the tag, e.g. Switch-OllamaModel {found[0]}"));
            return;
        }

        if (found.Count == 1)
        {
            name = found[0];
        }
        else
        {
            if (!AutoPull)
            {
                bridge.WriteError(OllamaErrors.ModelNotInstalled(name, client.Host, inventory.InstalledNames.Concat(ModelCatalog.Default.Names),
                    $"Install it first (Install-OllamaModel -Name '{name}'), add -AutoPull, or list installed models with Get-OllamaModel."));
                return;
            }

            InstallResult? pulled = await new InstallStep(Endpoints, Session).RunAsync(bridge, inventory, name, ct).ConfigureAwait(false);
            if (pulled?.Model is null)
            {
                return;
            }
        }

        await SwitchStep.RunAsync(bridge, client, Session, name, KeepAlive, KeepPrevious, ct, ContextLength > 0 ? ContextLength : null).ConfigureAwait(false);
    }
}
