using System;
using System.Globalization;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>Linux: /proc/meminfo for memory, two /proc/stat samples taken across calls for CPU %, /proc/cpuinfo for the name.</summary>
public sealed class LinuxResourceProbe : IHostResourceProbe
{
    private static readonly char[] SpaceOrColon = { ' ', ':' };
    private static readonly char[] Space = { ' ' };

    private readonly string _procRoot;
    private readonly CpuSampler _cpu = new();
    private string? _cpuName;

    public LinuxResourceProbe(string procRoot)
    {
        _procRoot = procRoot;
        SampleCpu();
    }

    public Task<HostResources> ReadAsync(CancellationToken cancellationToken)
    {
        (long total, long available) = ParseMeminfo(File.ReadAllText(Path.Combine(_procRoot, "meminfo")));
        double? cpu = SampleCpu();
        _cpuName ??= ReadCpuName();
        return Task.FromResult(new HostResources
        {
            OperatingSystem = RuntimeInformation.OSDescription,
            CpuName = _cpuName,
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
            string[] parts = line.Split(SpaceOrColon, StringSplitOptions.RemoveEmptyEntries);
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

            string[] f = line.Split(Space, StringSplitOptions.RemoveEmptyEntries);
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

    /// <summary>The first "model name" of /proc/cpuinfo (x86), else "Model"/"Hardware" (ARM boards).</summary>
    public static string? ParseCpuName(string text)
    {
        string? fallback = null;
        foreach (string line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            string key = line.Substring(0, colon).Trim();
            string value = line.Substring(colon + 1).Trim();
            if (value.Length == 0)
            {
                continue;
            }

            if (key == "model name")
            {
                return value;
            }

            if (key is "Model" or "Hardware")
            {
                fallback ??= value;
            }
        }

        return fallback;
    }

    private double? SampleCpu()
    {
        string statPath = Path.Combine(_procRoot, "stat");
        if (!File.Exists(statPath))
        {
            return null;
        }

        (ulong busy, ulong all) = ParseStat(File.ReadAllText(statPath));
        return _cpu.Next(busy, all);
    }

    private string? ReadCpuName()
    {
        string path = Path.Combine(_procRoot, "cpuinfo");
        return File.Exists(path) ? ParseCpuName(File.ReadAllText(path)) : null;
    }
}
