using System;

namespace ElixiModels.Resources;

/// <summary>
/// The rule of thumb where a model's architecture is unknown: it needs its download size plus 20 % (KV cache and
/// runtime buffers at Ollama's default context; <see cref="MemoryEstimator"/>'s fallback); the machine offers its
/// available RAM plus the free VRAM of its GPUs, less 1 GiB kept for the system. With the architecture known,
/// <see cref="MemoryEstimator.Place"/> and <see cref="MemoryEstimator.Fits"/> judge GPUs and RAM apart.
/// </summary>
public static class MemoryFit
{
    /// <summary>Memory needed per byte of weights.</summary>
    public const double Overhead = 1.2;

    /// <summary>Memory left for the operating system and other programs.</summary>
    public const long Headroom = 1L << 30;

    /// <summary>Memory a model of <paramref name="sizeBytes"/> (download size) needs when loaded.</summary>
    public static long Required(long sizeBytes) => (long)Math.Ceiling(Math.Max(0, sizeBytes) * Overhead);

    /// <summary>Memory a model may use on the machine <paramref name="resources"/> describes.</summary>
    public static long Budget(HostResources resources) =>
        Math.Max(0, resources.AvailableMemoryBytes + resources.FreeVramBytes - Headroom);

    public static bool Fits(long sizeBytes, HostResources resources) => Required(sizeBytes) <= Budget(resources);
}
