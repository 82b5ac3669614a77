using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Resources;

/// <summary>
/// The cmdlets' memory planning: <see cref="MemoryEstimator"/> with this machine's OLLAMA_KV_CACHE_TYPE and
/// OLLAMA_NUM_PARALLEL, and what a server on this machine can give a model.
/// </summary>
internal static class MemoryPlan
{
    /// <summary>The estimate, split over the GPUs and RAM of <paramref name="budget"/> when the machine is known.</summary>
    public static MemoryEstimate Estimate(ModelDetails? details, long weightsBytes, int? contextLength, MemoryBudget? budget = null)
    {
        MemoryEstimate e = MemoryEstimator.Estimate(details, weightsBytes, contextLength ?? MemoryEstimator.DefaultContext(details),
            MemoryEstimator.KvCacheTypeFromEnvironment(), MemoryEstimator.NumParallelFromEnvironment());
        return budget is null ? e : MemoryEstimator.Place(e, budget);
    }

    public static int? MaxContext(ModelDetails details, long weightsBytes, MemoryBudget budget) =>
        MemoryEstimator.MaxContext(details, weightsBytes, budget, MemoryEstimator.KvCacheTypeFromEnvironment(), MemoryEstimator.NumParallelFromEnvironment());

    /// <summary>
    /// For a server on this machine: free RAM + free VRAM − 1 GiB (<see cref="MemoryFit.Budget"/>) plus what loaded
    /// models occupy (Ollama evicts idle ones). Null for another machine, or when this machine cannot be read.
    /// </summary>
    public static Task<MemoryBudget?> MachineBudgetAsync(ServerInventory inventory, IHostResourceProbe probe, CancellationToken ct) =>
        MachineBudgetAsync(inventory.Client, Task.FromResult(inventory.Running), probe, ct);

    public static async Task<long?> BudgetAsync(OllamaClient client, Task<IReadOnlyList<WireRunningModel>>? running, IHostResourceProbe probe, CancellationToken ct) =>
        (await MachineBudgetAsync(client, running, probe, ct).ConfigureAwait(false))?.TotalBytes;

    /// <summary>
    /// For a server on this machine, its RAM and each GPU's free VRAM, with the memory of loaded models counted as free
    /// RAM (Ollama evicts idle ones). Null for another machine, or when this machine cannot be read.
    /// </summary>
    public static async Task<MemoryBudget?> MachineBudgetAsync(OllamaClient client, Task<IReadOnlyList<WireRunningModel>>? running, IHostResourceProbe probe,
        CancellationToken ct)
    {
        if (!OllamaEndpoint.IsLocal(client.Endpoint))
        {
            return null;
        }

        long loaded = 0;
        if (running is not null)
        {
            try
            {
                loaded = (await running.ConfigureAwait(false)).Sum(m => m.Size);
            }
            catch (OllamaException)
            {
                // Unknown loaded models: plan with free memory only.
            }
        }

        try
        {
            return MemoryBudget.Of(await probe.ReadAsync(ct).ConfigureAwait(false), loaded);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return null;
        }
    }
}
