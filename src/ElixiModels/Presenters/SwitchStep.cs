using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Lifecycle;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Resources;
using ElixiModels.Session;
using ElixiModels.Cmdlets;

namespace ElixiModels.Presenters;

/// <summary>Making a model the session's active one on one server: shared by Switch-OllamaModel and Install-OllamaModel -AutoSwitch.</summary>
internal static class SwitchStep
{
    /// <summary>Switches, records the active model in the session and writes the result; null when declined.</summary>
    public static async Task<ModelSwitchResult?> RunAsync(PipelineBridge bridge, OllamaClient client, SessionContext session,
        string name, KeepAlive? keepAlive, bool keepPrevious, CancellationToken ct, int? contextLength = null)
    {
        string model = ModelName.Normalize(name);
        async Task<IReadOnlyList<string>?> CapabilitiesAsync(string m, CancellationToken token)
        {
            try
            {
                return (await session.Details.GetAsync(client, m, string.Empty, false, token).ConfigureAwait(false)).Capabilities;
            }
            catch (OllamaException)
            {
                return null;
            }
        }

        SemaphoreSlim switchLock = SessionContext.SwitchLock(client.Host);
        // Claim the model before loading it, so no other session of this process unloads it meanwhile.
        await switchLock.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            session.Claim(client.Host, model);
        }
        finally
        {
            switchLock.Release();
        }

        ModelSwitchResult? result;
        try
        {
            result = await new ModelSwitcher(client, CapabilitiesAsync).SwitchAsync(model, session.GetActiveModel(client.Host), keepAlive, keepPrevious,
                action => bridge.ShouldProcessAsync($"{model} on {client.Host}", action), new BridgeReporter(bridge), ct,
                new SwitchCoordination(switchLock, m => session.IsHeldByAnotherSession(client.Host, m), m => session.RecordUnload(client.Host, m)), contextLength).ConfigureAwait(false);
        }
        catch
        {
            session.Claim(client.Host, null);
            throw;
        }

        if (result is null)
        {
            session.Claim(client.Host, null);
            return null;
        }

        await CompareWithPlanAsync(bridge, client, session, result, ct).ConfigureAwait(false);

        session.SetActiveModel(client.Host, result.CurrentModel, keepAlive is { IsForever: false } k ? k.Duration : null);
        if (result.Note is { } note && result.IsLoaded != false)
        {
            bridge.WriteVerbose(note);
        }

        bridge.WriteVerbose(result.WasAlreadyActive
            ? $"{result.CurrentModel} already is the active model on {client.Host} and is loaded; nothing to load."
            : $"{result.CurrentModel} is the active model on {client.Host} (loaded in {Units.Duration(result.LoadTime)})"
              + (result.Unloaded ? $"; unloaded {result.PreviousModel}." : "."));
        bridge.WriteObject(result);
        return result;
    }

    /// <summary>
    /// Fills in what /api/ps reports for the loaded model (size, context) and the memory planned for that context, so
    /// the estimate's error shows on every real machine. Missing facts leave the properties empty.
    /// </summary>
    private static async Task CompareWithPlanAsync(PipelineBridge bridge, OllamaClient client, SessionContext session, ModelSwitchResult result, CancellationToken ct)
    {
        try
        {
            WireRunningModel? loaded = (await client.ListRunningAsync(ct).ConfigureAwait(false)).FirstOrDefault(r => ModelName.SameModel(r.Name, result.CurrentModel));
            WireModel? installed = (await client.ListInstalledAsync(ct).ConfigureAwait(false)).FirstOrDefault(m => ModelName.SameModel(m.Name, result.CurrentModel));
            if (loaded is null || installed is null)
            {
                return;
            }

            result.MemoryBytes = loaded.Size;
            result.ContextLength = loaded.ContextLength > 0 ? loaded.ContextLength : null;
            ModelDetails details = await session.Details.GetAsync(client, installed.Name, installed.Digest, refresh: false, ct).ConfigureAwait(false);
            result.EstimatedMemory = MemoryPlan.Estimate(details, installed.Size, result.ContextLength);
        }
        catch (OllamaException ex)
        {
            bridge.WriteVerbose($"Could not compare the loaded size of {result.CurrentModel} with the plan: {ex.Message}");
        }
    }
}
