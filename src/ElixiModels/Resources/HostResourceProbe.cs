using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>The probe for the machine the module runs on.</summary>
public static class HostResourceProbe
{
    private static readonly Lazy<IHostResourceProbe> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>One probe per process: CPU % is computed between successive readings, so it keeps the previous sample.</summary>
    public static IHostResourceProbe Shared => Instance.Value;

    private static IHostResourceProbe Create()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            return new LinuxResourceProbe("/proc");
        }

        throw new PlatformNotSupportedException("Host resource probing for this OS is not implemented yet.");
    }
}

/// <summary>Linux: /proc/meminfo for memory, two /proc/stat samples taken across calls for CPU %.</summary>
public sealed class LinuxResourceProbe : IHostResourceProbe
{
    private readonly string _procRoot;
    private readonly object _gate = new();
    private (ulong Busy, ulong Total)? _previous;

    public LinuxResourceProbe(string procRoot) => _procRoot = procRoot;

    public Task<HostResources> ReadAsync(CancellationToken cancellationToken)
    {
        (long total, long available) = ParseMeminfo(File.ReadAllText(Path.Combine(_procRoot, "meminfo")));
        double? cpu = null;
        string statPath = Path.Combine(_procRoot, "stat");
        if (File.Exists(statPath))
        {
            (ulong busy, ulong all) = ParseStat(File.ReadAllText(statPath));
            lock (_gate)
            {
                if (_previous is { } p && all > p.Total)
                {
                    cpu = Math.Round((busy - p.Busy) * 100.0 / (all - p.Total), 1);
                }

                _previous = (busy, all);
            }
        }

        return Task.FromResult(new HostResources
        {
            OperatingSystem = RuntimeInformation.OSDescription,
            TotalMemoryBytes = total,
            AvailableMemoryBytes = available,
            CpuPercent = cpu,
        });
    }

    /// <summary>MemTotal and MemAvailable (kB) from /proc/meminfo text, in bytes.</summary>
    public static (long Total, long Available) ParseMeminfo(string text)
    {
        long total = 0, available = -1, free = 0, buffers = 0, cached = 0;
        foreach (string line in text.Split('\n'))
        {
            string[] parts = line.Split(new[] { ' ', ':' }, StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length < 2 || !long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out long kb))
            {
                continue;
            }

            switch (parts[0])
            {
                case "MemTotal": total = kb * 1024; break;
                case "MemAvailable": available = kb * 1024; break;
                case "MemFree": free = kb * 1024; break;
                case "Buffers": buffers = kb * 1024; break;
                case "Cached": cached = kb * 1024; break;
            }
        }

        // Kernels before 3.14 have no MemAvailable.
        return (total, available >= 0 ? available : free + buffers + cached);
    }

    /// <summary>Busy and total jiffies from the aggregate "cpu" line of /proc/stat.</summary>
    public static (ulong Busy, ulong Total) ParseStat(string text)
    {
        foreach (string line in text.Split('\n'))
        {
            if (!line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                continue;
            }

            string[] f = line.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
            ulong total = 0, idle = 0;
            for (int i = 1; i < f.Length && i <= 8; i++)
            {
                ulong v = ulong.Parse(f[i], CultureInfo.InvariantCulture);
                total += v;
                if (i is 4 or 5)
                {
                    idle += v; // idle + iowait
                }
            }

            return (total - idle, total);
        }

        return (0, 0);
    }
}
