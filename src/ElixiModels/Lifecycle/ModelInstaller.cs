using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Ollama;
using ElixiModels.Reporting;

namespace ElixiModels.Lifecycle;

/// <summary>What an install did.</summary>
public enum InstallOutcome
{
    /// <summary>The model was not there and was downloaded.</summary>
    Installed,
    /// <summary>The model was there and the registry had a newer version, now installed (-Force).</summary>
    Updated,
    /// <summary>The model was pulled again (-Force) and the registry's version was the one installed.</summary>
    Unchanged,
    /// <summary>The model was there already; nothing was downloaded.</summary>
    AlreadyInstalled,
    /// <summary>The user (or -WhatIf) declined; nothing was done.</summary>
    Declined,
}

/// <summary>The result of <see cref="ModelInstaller.InstallAsync"/>.</summary>
public sealed class InstallResult
{
    public InstallResult(InstallOutcome outcome, WireModel? model, WireModel? before, IReadOnlyList<WireModel> installed)
    {
        Outcome = outcome;
        Model = model;
        Before = before;
        Installed = installed;
    }

    public InstallOutcome Outcome { get; }

    /// <summary>The installed model as /api/tags lists it (null when declined).</summary>
    public WireModel? Model { get; }

    /// <summary>The installed model before the pull, if there was one.</summary>
    public WireModel? Before { get; }

    /// <summary>Every model installed on the server, as last listed.</summary>
    public IReadOnlyList<WireModel> Installed { get; }
}

/// <summary>
/// Installs (pulls) a model on one server unless it is there already, or updates it when forced. Works on the server's
/// inventory, so installing several models lists the server once before and once after each pull.
/// The download is reported as a progress bar (activity 1, its blobs' bars 2 and up).
/// </summary>
public sealed class ModelInstaller
{
    private readonly ServerInventory _inventory;

    public ModelInstaller(ServerInventory inventory)
    {
        _inventory = inventory ?? throw new ArgumentNullException(nameof(inventory));
    }

    /// <summary>Report a child bar per blob.</summary>
    public bool ShowLayers { get; init; }

    /// <param name="name">A valid model name.</param>
    /// <param name="force">Pull even when installed (updates it to the registry's version).</param>
    /// <param name="insecure">Allow a registry without valid TLS.</param>
    /// <param name="confirm">
    /// Asked right before the download, with the model installed now (or null): the pre-flight's plan the download goes
    /// ahead with (its facts may be unknown), or null to decline.
    /// </param>
    /// <param name="reporter">Told the download's progress.</param>
    /// <param name="ct">Cancels the download (the server keeps what arrived; a re-run resumes).</param>
    public async Task<InstallResult> InstallAsync(string name, bool force, bool insecure, Func<WireModel?, Task<PullPlan?>> confirm,
        IOperationReporter reporter, CancellationToken ct)
    {
        OllamaClient client = _inventory.Client;
        WireModel? before = _inventory.Find(name);
        if (before is not null && !force)
        {
            return new InstallResult(InstallOutcome.AlreadyInstalled, before, before, _inventory.Installed);
        }

        PullPlan? plan = await confirm(before).ConfigureAwait(false);
        if (plan is null)
        {
            return new InstallResult(InstallOutcome.Declined, null, before, _inventory.Installed);
        }

        var progress = new PullProgressWriter(reporter, 1, $"Installing {name}", ShowLayers);
        progress.ExpectLayers(plan.LayerCount);
        try
        {
            await client.PullAsync(name, insecure, progress.OnUpdate, ct).ConfigureAwait(false);
        }
        catch (Exception) when (!ct.IsCancellationRequested)
        {
            await progress.CompleteAsync(ct).ConfigureAwait(false);
            throw;
        }

        await progress.CompleteAsync(ct).ConfigureAwait(false);
        await _inventory.RefreshInstalledAsync(ct).ConfigureAwait(false);
        IReadOnlyList<WireModel> installed = _inventory.Installed;
        WireModel after = _inventory.Find(name)
            ?? throw new OllamaException(OllamaErrorKind.InvalidResponse, client.Endpoint,
                $"Ollama at {client.Host} reported the download of '{name}' as successful, but does not list the model.", model: name);
        InstallOutcome outcome = before is null
            ? InstallOutcome.Installed
            : string.Equals(before.Digest, after.Digest, StringComparison.OrdinalIgnoreCase) ? InstallOutcome.Unchanged : InstallOutcome.Updated;
        return new InstallResult(outcome, after, before, installed);
    }
}
