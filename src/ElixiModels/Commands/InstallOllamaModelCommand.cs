using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading.Tasks;
using System.Threading;
using ElixiModels.Lifecycle;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Commands;

/// <summary>
/// Downloads models onto the Ollama server with one aggregated progress bar; already installed models are left as
/// they are unless -Force (which updates them). Outputs the installed model, so it pipes into Switch-OllamaModel.
/// Ctrl+C stops the download at once; running the command again resumes it.
/// </summary>
[Cmdlet(VerbsLifecycle.Install, "OllamaModel", SupportsShouldProcess = true, HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Install-OllamaModel.md")]
[OutputType(typeof(OllamaModel), typeof(ModelSwitchResult))]
public sealed class InstallOllamaModelCommand : OllamaCmdlet
{
    private List<string> _names = new();
    private InstallStep? _step;

    /// <summary>Models to install, e.g. llama3.2:3b (":latest" when no tag). Binds objects with a Name property.</summary>
    [Parameter(Mandatory = true, Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CatalogNameCompleter))]
    public string[] Name { get; set; } = Array.Empty<string>();

    /// <summary>Pull even if installed (updates the model to the registry's current version), and even when the pre-flight finds too little free disk space.</summary>
    [Parameter]
    public SwitchParameter Force { get; set; }

    /// <summary>Then make the model the session's active one (as piping into Switch-OllamaModel); outputs the switch result.</summary>
    [Parameter]
    public SwitchParameter AutoSwitch { get; set; }

    /// <summary>With -AutoSwitch (an error without it): how long the server keeps the model loaded ('10m', '1h', 'Forever', a TimeSpan or seconds).</summary>
    [Parameter]
    [KeepAliveTransformation]
    public KeepAlive? KeepAlive { get; set; }

    /// <summary>Show a child progress bar per blob under the overall bar.</summary>
    [Parameter]
    public SwitchParameter ShowLayers { get; set; }

    /// <summary>
    /// Seconds a download may go without progress (the server repeating the same state) before it ends with
    /// PullStalled; running the command again resumes it. Default 300.
    /// </summary>
    [Parameter]
    [ValidateRange(1, 86400)]
    public int StallTimeout { get; set; }

    /// <summary>Allow a registry without valid TLS (self-hosted registries only).</summary>
    [Parameter]
    public SwitchParameter Insecure { get; set; }

    protected override void BeginProcessing()
    {
        if (KeepAlive is not null && !AutoSwitch && GivenExplicitly(nameof(KeepAlive)))
        {
            ThrowTerminatingError(OllamaErrors.Build(
                new ArgumentException("-KeepAlive applies to the load of -AutoSwitch; without -AutoSwitch nothing is loaded, so it would do nothing."),
                "KeepAliveNeedsAutoSwitch", ErrorCategory.InvalidArgument, KeepAlive,
                "Add -AutoSwitch, or load the model later with Switch-OllamaModel -KeepAlive."));
        }

        base.BeginProcessing();
        RejectShortKeepAlive(KeepAlive);
    }

    protected override void Configure(OllamaClientOptions options)
    {
        if (StallTimeout > 0)
        {
            options.StallTimeout = TimeSpan.FromSeconds(StallTimeout);
        }
    }

    /// <summary>
    /// The registry the pre-flight reads the download size from. Defaults to $env:ELIXI_REGISTRY, else
    /// https://registry.ollama.ai (the server itself pulls from its own registry).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? RegistryUri { get; set; }

    protected override void ProcessRecord()
    {
        var names = new List<string>();
        foreach (string raw in Name)
        {
            if (ModelName.TryParse(raw, out ModelName? parsed, out string? problem))
            {
                names.Add(parsed!.FullName);
            }
            else
            {
                WriteError(OllamaErrors.InvalidModelName(raw, problem!));
            }
        }

        if (names.Count == 0)
        {
            return;
        }

        _names = names;
        _step = new InstallStep(Endpoints, Session)
        {
            Force = Force,
            Insecure = Insecure,
            ShowLayers = ShowLayers,
            WhatIf = IsWhatIf(),
            Registry = RegistryUri,
        };
        RunPerHost(InstallAsync);
    }

    private async Task InstallAsync(PipelineBridge bridge, OllamaClient client, CancellationToken ct)
    {
        ServerInventory inventory = await ServerInventory.ReadAsync(client, withRunning: false, ct).ConfigureAwait(false);
        foreach (string name in _names)
        {
            InstallResult? result = await _step!.RunAsync(bridge, inventory, name, ct).ConfigureAwait(false);
            if (result?.Model is not { } model)
            {
                continue;
            }

            try
            {
                if (AutoSwitch)
                {
                    await SwitchStep.RunAsync(bridge, client, Session, model.Name, KeepAlive, keepPrevious: false, ct).ConfigureAwait(false);
                }
                else
                {
                    bridge.WriteObject(await InstallStep.ToOutputAsync(inventory, result, ct).ConfigureAwait(false));
                }
            }
            catch (OllamaException ex)
            {
                bridge.WriteError(OllamaErrors.From(ex, model.Name));
            }
        }
    }

    private bool IsWhatIf() =>
        MyInvocation.BoundParameters.TryGetValue("WhatIf", out object? w) ? w is SwitchParameter { IsPresent: true } || w is true
        : SessionState?.PSVariable.GetValue("WhatIfPreference") is { } pref && LanguagePrimitives.IsTrue(pref);
}
