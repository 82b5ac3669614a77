using System;
using System.Linq;
using ElixiModels.Models;

namespace ElixiModels.Resources;

/// <summary>
/// Plans a model's memory for a context length as Ollama does before a load (fs/ggml GraphSize and its use in
/// llm/server.go): weights (the size on disk) + KV cache (per layer: context × (key length + value length) ×
/// KV heads × bytes per element of the cache type, times OLLAMA_NUM_PARALLEL) + the compute graph (Ollama's formula
/// for llama, qwen2 and gemma architectures; for others its fallback, GQA × KV cache / 6). A context beyond the one the
/// model was trained for is planned at the trained one, as Ollama caps num_ctx there. Without the architecture facts
/// the estimate is the size plus 20 % (<see cref="MemoryFit.Required"/>). <see cref="Place"/> splits an estimate over a
/// machine's GPUs and RAM as Ollama's runner does: whole layers to the GPUs while they fit, the rest on the CPU.
/// </summary>
public static class MemoryEstimator
{
    /// <summary>Ollama's default context length when neither the request nor the Modelfile sets num_ctx.</summary>
    public const int DefaultContextLength = 4096;

    /// <summary>Ollama's default batch size (num_batch).</summary>
    public const int DefaultBatch = 512;

    public const string KvCacheTypeVariable = "OLLAMA_KV_CACHE_TYPE";
    public const string NumParallelVariable = "OLLAMA_NUM_PARALLEL";

    /// <summary>Bytes per cache element of an OLLAMA_KV_CACHE_TYPE: f16 2 (the default), q8_0 1, q4_0 0.5.</summary>
    public static double BytesPerElement(string? kvCacheType) => Normalize(kvCacheType) switch
    {
        "q8_0" => 1,
        "q4_0" => 0.5,
        _ => 2,
    };

    /// <summary>The cache type $env:OLLAMA_KV_CACHE_TYPE asks for (f16 when unset or unknown).</summary>
    public static string KvCacheTypeFromEnvironment() => Normalize(Environment.GetEnvironmentVariable(KvCacheTypeVariable));

    /// <summary>$env:OLLAMA_NUM_PARALLEL, default 1.</summary>
    public static int NumParallelFromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable(NumParallelVariable), out int n) && n > 0 ? n : 1;

    /// <summary>The context a load uses when none is asked for: the Modelfile's num_ctx, else Ollama's default, capped at the trained context.</summary>
    public static int DefaultContext(ModelDetails? details)
    {
        int ctx = details?.Parameters is { } p && p.TryGetValue("num_ctx", out string? text) && int.TryParse(text, out int fromModelfile) && fromModelfile > 0
            ? fromModelfile
            : DefaultContextLength;
        return details?.ContextLength is > 0 and var trained && ctx > trained ? trained : ctx;
    }

    /// <summary>
    /// The estimate for <paramref name="weightsBytes"/> of weights with the architecture <paramref name="details"/>
    /// describes (from <paramref name="basis"/>: an installed model's model_info or the catalog).
    /// </summary>
    public static MemoryEstimate Estimate(ModelDetails? details, long weightsBytes, int contextLength, string? kvCacheType = null, int numParallel = 1,
        MemoryEstimateBasis basis = MemoryEstimateBasis.ModelInfo)
    {
        string type = Normalize(kvCacheType);
        numParallel = Math.Max(1, numParallel);
        weightsBytes = Math.Max(0, weightsBytes);
        contextLength = Math.Max(1, details?.ContextLength is > 0 and var trained ? Math.Min(contextLength, trained) : contextLength);
        ulong context = (ulong)contextLength * (ulong)numParallel;
        ulong batch = (ulong)Math.Min(contextLength, DefaultBatch);
        ulong layers = (ulong)(details?.BlockCount ?? 0);
        ulong heads = (ulong)(details?.HeadCount ?? 0);
        ulong headsKv = (ulong)(details?.HeadCountKv ?? details?.HeadCount ?? 0);
        ulong embedding = (ulong)(details?.EmbeddingLength ?? 0);
        ulong headSize = heads > 0 ? embedding / heads : 0;
        ulong keyLength = (ulong)(details?.KeyLength ?? (int)headSize);
        ulong valueLength = (ulong)(details?.ValueLength ?? (int)headSize);
        ulong vocab = (ulong)(details?.VocabSize ?? 0);
        bool complete = layers > 0 && headsKv > 0 && keyLength + valueLength > 0;
        if (!complete)
        {
            return new MemoryEstimate
            {
                ContextLength = contextLength,
                WeightsBytes = weightsBytes,
                OverheadBytes = MemoryFit.Required(weightsBytes) - weightsBytes,
                KvCacheType = type,
                NumParallel = numParallel,
                Basis = MemoryEstimateBasis.Size,
            };
        }

        ulong kvPerLayer = (ulong)(context * (keyLength + valueLength) * headsKv * BytesPerElement(type));
        ulong kvTotal = kvPerLayer * layers;

        ulong graph = (details?.Architecture ?? string.Empty).ToLowerInvariant() switch
        {
            "llama" or "llama4" when heads > 0 => Math.Max(4 * batch * (1 + 4 * embedding + context * (1 + heads)), 4 * batch * (embedding + vocab)),
            "qwen2" when heads > 0 => Math.Max(4 * batch * (embedding + vocab), 4 * batch * (1 + 2 * embedding + context + context * heads)),
            "gemma" or "gemma2" or "gemma3" when heads > 0 => Math.Max(4 * batch * (embedding + vocab), 4 * batch * (2 + context + context * heads + 2 * embedding + 2 * keyLength * heads)),
            _ => 0,
        };
        if (graph == 0)
        {
            // Ollama's fallback for architectures without a formula: grouped-query factor × KV cache / 6.
            graph = (headsKv > 0 ? heads / headsKv : 1) * kvTotal / 6;
        }

        // Without the tensor list, the output layer is its parameter count (vocabulary × width) at the model's average
        // bytes per parameter; else one layer's share.
        long output = weightsBytes / (long)(layers + 1);
        if (vocab > 0 && embedding > 0 && details?.ParameterCount is > 0 and var parameters)
        {
            output = (long)Math.Min(weightsBytes / 2.0, (double)vocab * embedding * weightsBytes / parameters);
        }

        return new MemoryEstimate
        {
            ContextLength = contextLength,
            WeightsBytes = weightsBytes,
            KvCacheBytes = (long)kvTotal,
            OverheadBytes = (long)graph,
            KvCacheType = type,
            NumParallel = numParallel,
            IsComplete = true,
            Basis = basis,
            TotalLayers = (int)layers + 1,
            OutputLayerBytes = output,
        };
    }

    /// <summary>
    /// <paramref name="estimate"/> split over the machine <paramref name="budget"/> describes, as Ollama 0.32's runner
    /// (llama.cpp's fit) places a load: each GPU in turn, keeping <see cref="MemoryBudget.GpuReserveBytes"/> free,
    /// takes the compute graph (once, on the first GPU used) and whole layers - each block with its share of the KV
    /// cache, the output layer last - while the next one fits; the rest stays in RAM. Without architecture facts the
    /// bytes are split as if the layers were fine-grained.
    /// </summary>
    public static MemoryEstimate Place(MemoryEstimate estimate, MemoryBudget budget)
    {
        long total = estimate.TotalBytes;
        if (estimate.TotalLayers is not { } layerCount)
        {
            long usable = budget.GpuFreeBytes.Sum(g => Math.Max(0, g - MemoryBudget.GpuReserveBytes));
            return estimate.Placed(null, Math.Min(total, usable));
        }

        int blocks = layerCount - 1;
        long block = ((estimate.WeightsBytes - estimate.OutputLayerBytes) / blocks) + (estimate.KvCacheBytes / blocks);
        long LayerBytes(int i) => i < blocks ? block : estimate.OutputLayerBytes;
        int placed = 0;
        long onGpu = 0;
        foreach (long free in budget.GpuFreeBytes)
        {
            long room = free - MemoryBudget.GpuReserveBytes - (placed == 0 ? estimate.OverheadBytes : 0);
            while (placed < layerCount && LayerBytes(placed) <= room)
            {
                room -= LayerBytes(placed);
                onGpu += LayerBytes(placed);
                placed++;
            }
        }

        long gpuBytes = placed == 0 ? 0 : placed == layerCount ? total : Math.Min(total, onGpu + estimate.OverheadBytes);
        return estimate.Placed(placed, gpuBytes);
    }

    /// <summary>Whether <paramref name="placed"/> (from <see cref="Place"/>) fits: what the GPUs cannot take fits the RAM.</summary>
    public static bool Fits(MemoryEstimate placed, MemoryBudget budget) => (placed.CpuBytes ?? placed.TotalBytes) <= budget.RamBytes;

    /// <summary>
    /// The largest context length (a multiple of 256, at most the trained context) whose estimate, placed on the
    /// machine, fits <paramref name="budget"/>; null when not even 256 tokens fit or the KV cache cannot be estimated.
    /// </summary>
    public static int? MaxContext(ModelDetails? details, long weightsBytes, MemoryBudget budget, string? kvCacheType = null, int numParallel = 1)
    {
        bool FitsAt(int context) => Fits(Place(Estimate(details, weightsBytes, context, kvCacheType, numParallel), budget), budget);
        if (!Estimate(details, weightsBytes, 256, kvCacheType, numParallel).IsComplete || !FitsAt(256))
        {
            return null;
        }

        int high = details?.ContextLength is > 0 and var trained ? trained : 131_072;
        if (FitsAt(high))
        {
            return high;
        }

        int lo = 1, hi = high / 256;   // in units of 256 tokens: lo fits, hi does not
        while (hi - lo > 1)
        {
            int mid = lo + ((hi - lo) / 2);
            if (FitsAt(mid * 256))
            {
                lo = mid;
            }
            else
            {
                hi = mid;
            }
        }

        return lo * 256;
    }

    private static string Normalize(string? kvCacheType) => (kvCacheType ?? string.Empty).Trim().ToLowerInvariant() switch
    {
        "q8_0" => "q8_0",
        "q4_0" => "q4_0",
        _ => "f16",
    };
}
