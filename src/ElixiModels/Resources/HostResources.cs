using System;
using System.Collections.Generic;
using System.Globalization;

namespace ElixiModels.Resources;

/// <summary>A snapshot of the machine's CPU, memory and GPUs.</summary>
public sealed class HostResources
{
    public string MachineName { get; internal init; } = Environment.MachineName;
    public string OperatingSystem { get; internal init; } = string.Empty;
    public string? CpuName { get; internal init; }
    public int LogicalProcessors { get; internal init; } = Environment.ProcessorCount;

    /// <summary>CPU use since the previous reading, 0–100; null on the first reading of a session.</summary>
    public double? CpuPercent { get; internal init; }

    public long TotalMemoryBytes { get; internal init; }
    public long AvailableMemoryBytes { get; internal init; }
    public IReadOnlyList<GpuInfo> Gpus { get; internal init; } = Array.Empty<GpuInfo>();
    public DateTimeOffset ReadAt { get; internal init; } = DateTimeOffset.UtcNow;

    /// <summary>Free VRAM summed over all GPUs.</summary>
    public long FreeVramBytes
    {
        get
        {
            long sum = 0;
            foreach (GpuInfo g in Gpus)
            {
                sum += g.FreeBytes;
            }

            return sum;
        }
    }

    /// <summary>The machine's memory in bytes (shown in binary units: a 64 GiB machine reads 64 GiB).</summary>
    public long TotalMemory => TotalMemoryBytes;

    /// <summary>Memory available now, in bytes.</summary>
    public long AvailableMemory => AvailableMemoryBytes;

    /// <summary>What a model may use here: available RAM plus free VRAM, less headroom (see <see cref="MemoryFit"/>).</summary>
    public long UsableMemoryBytes => MemoryFit.Budget(this);

    /// <summary>The same number as <see cref="UsableMemoryBytes"/>.</summary>
    public long UsableMemory => UsableMemoryBytes;

    internal HostResources WithGpus(IReadOnlyList<GpuInfo> gpus) => new()
    {
        MachineName = MachineName,
        OperatingSystem = OperatingSystem,
        CpuName = CpuName,
        LogicalProcessors = LogicalProcessors,
        CpuPercent = CpuPercent,
        TotalMemoryBytes = TotalMemoryBytes,
        AvailableMemoryBytes = AvailableMemoryBytes,
        Gpus = gpus,
        ReadAt = ReadAt,
    };

    public override string ToString() =>
        $"CPU {(CpuPercent is { } c ? c.ToString("0", CultureInfo.InvariantCulture) + " %" : "n/a")}, RAM {Models.Units.Bytes(AvailableMemoryBytes)} free of {Models.Units.Bytes(TotalMemoryBytes)}, {Gpus.Count} GPU(s)";
}
