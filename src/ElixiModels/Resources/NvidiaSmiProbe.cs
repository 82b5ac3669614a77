using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>NVIDIA GPUs through <c>nvidia-smi --query-gpu=… --format=csv</c>.</summary>
public sealed class NvidiaSmiProbe : IGpuProbe
{
    public const string Arguments = "--query-gpu=name,memory.total,memory.used,memory.free,utilization.gpu --format=csv,noheader,nounits";
    private readonly TimeSpan _timeout;

    public NvidiaSmiProbe(TimeSpan? timeout = null) => _timeout = timeout ?? TimeSpan.FromSeconds(3);

    public async Task<IReadOnlyList<GpuInfo>> ReadAsync(CancellationToken cancellationToken)
    {
        ToolOutput? output = await ExternalTool.TryRunAsync("nvidia-smi", Arguments, _timeout, cancellationToken,
            @"C:\Program Files\NVIDIA Corporation\NVSMI\nvidia-smi.exe", "/usr/bin/nvidia-smi").ConfigureAwait(false);
        return output is { Succeeded: true } ? ParseCsv(output.StandardOutput) : Array.Empty<GpuInfo>();
    }

    /// <summary>Parses the CSV (no header, no units: MiB and %) that <see cref="Arguments"/> asks for.</summary>
    public static IReadOnlyList<GpuInfo> ParseCsv(string text)
    {
        var gpus = new List<GpuInfo>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("name", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // The name is the only field that may contain a comma; the four numbers are the last fields.
            string[] f = line.Split(',').Select(s => s.Trim()).ToArray();
            if (f.Length < 5)
            {
                continue;
            }

            int n = f.Length;
            string name = string.Join(", ", f.Take(n - 4)).Trim();
            long total = MiB(f[n - 4]);
            long used = MiB(f[n - 3]);
            long free = f[n - 2].Length > 0 && char.IsDigit(f[n - 2][0]) ? MiB(f[n - 2]) : Math.Max(0, total - used);
            gpus.Add(new GpuInfo
            {
                Name = name,
                Vendor = "NVIDIA",
                TotalBytes = total,
                UsedBytes = used,
                FreeBytes = free,
                UtilizationPercent = double.TryParse(f[n - 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double u) ? u : null,
            });
        }

        return gpus;
    }

    // "[N/A]" (e.g. unified-memory boards) reads as 0.
    private static long MiB(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double mib) ? (long)Math.Round(mib * 1024 * 1024) : 0;
}
