using System.Globalization;

namespace ElixiModels.Models;

/// <summary>
/// The memory a model is planned to need when loaded with a context length, estimated the way Ollama plans a load:
/// the weights, the KV cache for that context, and the compute graph. All sizes in bytes.
/// </summary>
public sealed class MemoryEstimate
{
    /// <summary>The context length (num_ctx) the estimate is for, in tokens.</summary>
    public int ContextLength { get; internal init; }

    /// <summary>The weights: the model's size on disk.</summary>
    public long WeightsBytes { get; internal init; }

    /// <summary>The KV cache: 2 (K and V) × layers × KV heads × head size × context × bytes per element.</summary>
    public long KvCacheBytes { get; internal init; }

    /// <summary>The compute graph and runtime buffers (Ollama's GraphSize for the architecture, else its fallback).</summary>
    public long OverheadBytes { get; internal init; }

    /// <summary>Weights + KV cache + overhead.</summary>
    public long TotalBytes => WeightsBytes + KvCacheBytes + OverheadBytes;

    /// <summary>The KV cache type the estimate assumed: f16, q8_0 or q4_0 ($env:OLLAMA_KV_CACHE_TYPE).</summary>
    public string KvCacheType { get; internal init; } = "f16";

    /// <summary>Parallel requests the cache is sized for ($env:OLLAMA_NUM_PARALLEL, default 1).</summary>
    public int NumParallel { get; internal init; } = 1;

    /// <summary>
    /// False when the model's architecture facts were missing: the KV cache could not be estimated (it is 0) and the
    /// overhead is 20 % of the weights, whatever the context (<see cref="Basis"/> is Size).
    /// </summary>
    public bool IsComplete { get; internal init; }

    /// <summary>Where the architecture facts came from: the installed model's model_info, the module's catalog, or none (Size).</summary>
    public MemoryEstimateBasis Basis { get; internal init; }

    /// <summary>The layers Ollama offloads: the transformer blocks plus the output layer; null without architecture facts.</summary>
    public int? TotalLayers { get; internal init; }

    /// <summary>
    /// Layers that would go to the GPUs of the machine the estimate was placed on (0 without a GPU); null when not
    /// placed (a server on another machine) or without architecture facts.
    /// </summary>
    public int? GpuLayers { get; internal init; }

    /// <summary>VRAM the load would take: the offloaded layers with their KV cache, and the compute graph; null when not placed.</summary>
    public long? GpuBytes { get; internal init; }

    /// <summary>System RAM the load would take: what does not fit the GPUs (everything without one); null when not placed.</summary>
    public long? CpuBytes { get; internal init; }

    // The output layer (vocabulary × width) is the last to be offloaded, after the blocks.
    internal long OutputLayerBytes { get; init; }

    internal MemoryEstimate Placed(int? gpuLayers, long gpuBytes) => new()
    {
        ContextLength = ContextLength,
        WeightsBytes = WeightsBytes,
        KvCacheBytes = KvCacheBytes,
        OverheadBytes = OverheadBytes,
        KvCacheType = KvCacheType,
        NumParallel = NumParallel,
        IsComplete = IsComplete,
        Basis = Basis,
        TotalLayers = TotalLayers,
        OutputLayerBytes = OutputLayerBytes,
        GpuLayers = gpuLayers,
        GpuBytes = gpuBytes,
        CpuBytes = TotalBytes - gpuBytes,
    };

    /// <summary>Where the load would go, e.g. "20/33 layers on GPU: 6.0 GiB VRAM + 4.9 GiB RAM"; null when not placed.</summary>
    public string? DescribePlacement() => (GpuBytes, CpuBytes) switch
    {
        (null, _) or (_, null) => null,
        (0, var ram) => string.Format(CultureInfo.InvariantCulture, "on CPU: {0} RAM", Units.Bytes(ram.Value)),
        (var vram, 0) when GpuLayers is { } n => string.Format(CultureInfo.InvariantCulture, "all {0} layers on GPU: {1} VRAM", n, Units.Bytes(vram.Value)),
        (var vram, 0) => string.Format(CultureInfo.InvariantCulture, "on GPU: {0} VRAM", Units.Bytes(vram.Value)),
        (var vram, var ram) => string.Format(CultureInfo.InvariantCulture, "{0}on GPU: {1} VRAM + {2} RAM",
            GpuLayers is { } n ? n.ToString(CultureInfo.InvariantCulture) + "/" + TotalLayers?.ToString(CultureInfo.InvariantCulture) + " layers " : string.Empty,
            Units.Bytes(vram.Value), Units.Bytes(ram.Value)),
    };

    public override string ToString() => IsComplete
        ? string.Format(CultureInfo.InvariantCulture, "{0} at {1:N0} tokens (weights {2} + KV cache {3} + overhead {4})",
            Units.Bytes(TotalBytes), ContextLength, Units.Bytes(WeightsBytes), Units.Bytes(KvCacheBytes), Units.Bytes(OverheadBytes))
        : string.Format(CultureInfo.InvariantCulture, "{0} (size + 20 %: no architecture facts, so the context is not counted)", Units.Bytes(TotalBytes));
}
