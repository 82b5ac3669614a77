using System;
using System.Collections.Generic;
using System.Linq;

namespace ElixiModels.Resources;

/// <summary>
/// What one machine can give a model, per place: system RAM (available, plus what loaded models hold that Ollama
/// would evict, less <see cref="MemoryFit.Headroom"/> for the system) and each GPU's free VRAM.
/// </summary>
public sealed class MemoryBudget
{
    /// <summary>
    /// VRAM kept free on every GPU: llama.cpp's fit target (--fit-target, 1024 MiB a device), which places the layers
    /// for Ollama 0.32 (its runner passes LLAMA_ARG_FIT_TARGET).
    /// </summary>
    public const long GpuReserveBytes = 1L << 30;

    public MemoryBudget(long ramBytes, IReadOnlyList<long>? gpuFreeBytes = null)
    {
        RamBytes = Math.Max(0, ramBytes);
        GpuFreeBytes = gpuFreeBytes ?? Array.Empty<long>();
    }

    /// <summary>RAM a model may use, in bytes.</summary>
    public long RamBytes { get; }

    /// <summary>Free VRAM of each GPU, in bytes, in the order the vendor tools list them.</summary>
    public IReadOnlyList<long> GpuFreeBytes { get; }

    /// <summary>RAM plus all free VRAM: what <see cref="MemoryFit.Budget"/> offers, plus the reclaimable memory.</summary>
    public long TotalBytes => RamBytes + GpuFreeBytes.Sum(g => Math.Max(0, g));

    /// <summary>The budget of the machine <paramref name="host"/> describes; <paramref name="reclaimableBytes"/> counts as free RAM.</summary>
    public static MemoryBudget Of(HostResources host, long reclaimableBytes = 0) =>
        new(host.AvailableMemoryBytes + Math.Max(0, reclaimableBytes) - MemoryFit.Headroom, host.Gpus.Select(g => g.FreeBytes).ToList());
}
