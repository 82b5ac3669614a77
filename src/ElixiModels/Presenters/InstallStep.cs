using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Catalog;
using ElixiModels.Lifecycle;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Session;
using ElixiModels.Cmdlets;

namespace ElixiModels.Presenters;

/// <summary>
/// Installing one model on one server with progress, confirmation and clear errors: shared by Install-OllamaModel
/// and Switch-OllamaModel -AutoPull so both behave the same.
/// </summary>
internal sealed class InstallStep
{
    private readonly IReadOnlyList<Uri> _endpoints;
    private readonly SessionContext _session;

    public InstallStep(IReadOnlyList<Uri> endpoints, SessionContext session)
    {
        _endpoints = endpoints;
        _session = session;
    }

    public bool Force { get; init; }

    public bool Insecure { get; init; }

    public bool ShowLayers { get; init; }

    /// <summary>-WhatIf is in effect: a pull that cannot fit the disk is shown, not reported as an error.</summary>
    public bool WhatIf { get; init; }

    /// <summary>The registry the pre-flight reads manifests from (null: $env:ELIXI_REGISTRY, else registry.ollama.ai).</summary>
    public string? Registry { get; init; }

    /// <summary>
    /// Installs <paramref name="name"/> on the client's server. Returns the outcome, or null after writing an error;
    /// lets only cancellation escape.
    /// </summary>
    public async Task<InstallResult?> RunAsync(PipelineBridge bridge, ServerInventory inventory, string name, CancellationToken ct)
    {
        OllamaClient client = inventory.Client;
        var reporter = new BridgeReporter(bridge)
        {
            IdOffset = EndpointIndex(client) * (PullProgressWriter.MaxChildBars + 1),
            ActivitySuffix = _endpoints.Count > 1 ? $" on {client.Host}" : null,
        };
        Stopwatch watch = Stopwatch.StartNew();
        InstallResult result;
        try
        {
            result = await new ModelInstaller(inventory) { ShowLayers = ShowLayers }.InstallAsync(name, Force, Insecure,
                before => ConfirmAsync(bridge, inventory, name, before, ct), reporter, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not PipelineStoppedException && !ct.IsCancellationRequested)
        {
            bridge.WriteError(PullError(ex, name, client.Host));
            return null;
        }

        _session.SetInstalledNames(client.Host, result.Installed.Select(m => ModelName.Normalize(m.Name)).ToArray());
        WireModel? model = result.Model;
        switch (result.Outcome)
        {
            case InstallOutcome.AlreadyInstalled:
                bridge.WriteWarning($"{model!.Name} is already installed on {client.Host}; nothing was downloaded. " +
                    "To update it to the registry's current version, add -Force.");
                break;
            case InstallOutcome.Installed:
                bridge.WriteVerbose($"Installed {model!.Name} ({Units.Bytes(model.Size)}) on {client.Host} in {Units.Duration(watch.Elapsed)}.");
                break;
            case InstallOutcome.Updated:
                bridge.WriteVerbose($"Updated {model!.Name} on {client.Host}: {Units.ShortDigest(result.Before!.Digest)} -> {Units.ShortDigest(model.Digest)}.");
                break;
            case InstallOutcome.Unchanged:
                bridge.WriteVerbose($"{model!.Name} on {client.Host} already was the registry's current version ({Units.ShortDigest(model.Digest)}).");
                break;
        }

        return result;
    }

    /// <summary>
    /// The installed model as an output object. A model that was not installed before cannot be loaded; for an
    /// updated one IsLoaded comes from /api/ps (read once per server; false when the server cannot say).
    /// </summary>
    public static async Task<OllamaModel> ToOutputAsync(ServerInventory inventory, InstallResult result, CancellationToken ct)
    {
        if (result.Before is not null)
        {
            await inventory.ReadRunningAsync(ct).ConfigureAwait(false);
        }

        return OllamaModel.FromWire(result.Model!, inventory.Host, inventory.LoadedNames);
    }

    /// <summary>An error record for a failed pull that keeps the server's text and says what to do.</summary>
    internal static ErrorRecord PullError(Exception ex, string name, string host)
    {
        if (ex is not OllamaException { ServerMessage: { } text } ollama || ollama.Kind is OllamaErrorKind.Unauthorized or OllamaErrorKind.NotOllama or OllamaErrorKind.Busy)
        {
            return OllamaErrors.From(ex, name);
        }

        switch (PullFailure.Classify(text))
        {
            case PullFailureKind.UnknownModel:
                IReadOnlyList<string> similar = NameSuggestions.Similar(name, ModelCatalog.Default.Names);
                string hint = similar.Count > 0 ? $" Did you mean: {string.Join(", ", similar)}?" : string.Empty;
                return OllamaErrors.Build(ex, "ModelNotInRegistry", ErrorCategory.ObjectNotFound, name,
                    "Check the name and tag at https://ollama.com/library, or list the catalog with Get-OllamaModel -Available.",
                    $"Cannot install '{name}' on {host}: the registry has no such model or tag. {ex.Message}.{hint}");
            case PullFailureKind.RegistryUnreachable:
                return OllamaErrors.Build(ex, "RegistryUnreachable", ErrorCategory.ConnectionError, name,
                    "The Ollama server could not reach the model registry: check its internet connection, DNS and proxy (HTTPS_PROXY for the server), then run the same command again; the download resumes where it stopped.",
                    $"Cannot install '{name}' on {host}: {ex.Message}");
            case PullFailureKind.DiskFull:
                return OllamaErrors.Build(ex, "InsufficientDiskSpace", ErrorCategory.ResourceUnavailable, name,
                    "Free disk space on the Ollama server (or move its models with OLLAMA_MODELS), then run the same command again; the download resumes where it stopped.",
                    $"Cannot install '{name}' on {host}: {ex.Message}");
            default:
                return OllamaErrors.Build(ex, "PullFailed", ErrorCategory.InvalidResult, name,
                    "The server's message says what failed; run the same command again to retry (the download resumes), or check the Ollama server log.",
                    $"Cannot install '{name}' on {host}: {ex.Message}");
        }
    }

    private int EndpointIndex(OllamaClient client)
    {
        for (int i = 0; i < _endpoints.Count; i++)
        {
            if (string.Equals(OllamaEndpoint.Display(_endpoints[i]), client.Host, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return 0;
    }

    /// <summary>
    /// Right before a pull: the pre-flight (download size, free disk, memory fit), shown in the confirmation and -WhatIf.
    /// A download that cannot fit the disk stops here with InsufficientDiskSpace unless -Force; one that cannot fit
    /// this machine's memory is a warning. Returns the plan to go ahead with, or null when declined.
    /// </summary>
    private async Task<PullPlan?> ConfirmAsync(PipelineBridge bridge, ServerInventory inventory, string name, WireModel? before, CancellationToken ct)
    {
        OllamaClient client = inventory.Client;
        string target = $"{name} on {client.Host}";
        PullPlan? plan = null;
        try
        {
            if (ModelName.TryParse(name, out ModelName? parsed, out _))
            {
                var registry = new RegistryClient(RegistryClient.Resolve(Registry), RegistryClient.DefaultTimeout);
                plan = await PullPreflight.PlanAsync(inventory, registry, parsed!, Resources.HostResourceProbe.Shared, ct).ConfigureAwait(false);
            }
        }
        catch (FormatException ex)
        {
            bridge.WriteVerbose($"No pre-flight for {name}: {ex.Message}");
        }

        string action = ConfirmAction(name, before, plan);
        if (plan is { FitsDisk: false } && !Force)
        {
            if (WhatIf)
            {
                await bridge.ShouldProcessAsync(target, action).ConfigureAwait(false);
                return null;
            }

            bridge.WriteError(InsufficientDiskSpace(plan, client.Host));
            return null;
        }

        if (plan is { FitsMemory: false })
        {
            bridge.WriteWarning($"{name} needs about {Units.Bytes(plan.MemoryNeededBytes!.Value)} of memory loaded, but this machine has " +
                $"{Units.Bytes(plan.MemoryAvailableBytes!.Value)} available: it would run from disk swap or not load. Pick a smaller model (Get-OllamaModel -Available -FitsMemory).");
        }

        return await bridge.ShouldProcessAsync(target, action).ConfigureAwait(false) ? plan ?? new PullPlan { Name = name } : null;
    }

    internal static ErrorRecord InsufficientDiskSpace(PullPlan plan, string host)
    {
        var ex = new System.IO.IOException(
            $"Cannot install {plan.Name} on {host}: the download is {Units.Bytes(plan.DownloadBytes!.Value)} but {plan.ModelStore} has {Units.Bytes(plan.FreeDiskBytes!.Value)} free. Nothing was downloaded.");
        return OllamaErrors.Build(ex, "InsufficientDiskSpace", ErrorCategory.ResourceUnavailable, plan.Name,
            $"Free at least {Units.Bytes(plan.DownloadBytes!.Value - plan.FreeDiskBytes!.Value)} there, move the models with OLLAMA_MODELS, or add -Force to try anyway.");
    }

    private static string ConfirmAction(string name, WireModel? installed, PullPlan? plan)
    {
        string facts = plan is null ? string.Empty : " (" + plan.Describe() + ")";
        if (installed is not null)
        {
            return $"Update to the registry's current version (installed: {Units.ShortDigest(installed.Digest)}, {Units.Bytes(installed.Size)})" + facts;
        }

        if (plan is { DownloadBytes: not null })
        {
            return "Download and install" + facts;
        }

        CatalogEntry? entry = ModelCatalog.Default.Find(name);
        return (entry is { SizeBytes: > 0 } ? $"Download and install (about {Units.Bytes(entry.SizeBytes)})" : "Download and install") + facts;
    }
}
