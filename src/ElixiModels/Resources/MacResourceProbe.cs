using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>macOS: sysctl for total memory and the CPU name, vm_stat for available memory, host_statistics for CPU %.</summary>
public sealed class MacResourceProbe : IHostResourceProbe
{
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromSeconds(3);
    private readonly CpuSampler _cpu = new();
    private Dictionary<string, string>? _sysctl;

    public MacResourceProbe() => SampleCpu();

    public async Task<HostResources> ReadAsync(CancellationToken cancellationToken)
    {
        if (_sysctl is null)
        {
            ToolOutput? s = await ExternalTool.TryRunAsync("sysctl", "hw.memsize hw.pagesize machdep.cpu.brand_string", ToolTimeout, cancellationToken, "/usr/sbin/sysctl").ConfigureAwait(false);
            Dictionary<string, string> parsed = ParseSysctl(s?.StandardOutput ?? string.Empty);
            if (parsed.ContainsKey("hw.memsize"))
            {
                _sysctl = parsed;
            }
        }

        Dictionary<string, string> sysctl = _sysctl ?? new Dictionary<string, string>();
        long total = sysctl.TryGetValue("hw.memsize", out string? m) && long.TryParse(m, NumberStyles.Integer, CultureInfo.InvariantCulture, out long t) ? t : 0;
        ToolOutput? vm = await ExternalTool.TryRunAsync("vm_stat", string.Empty, ToolTimeout, cancellationToken, "/usr/bin/vm_stat").ConfigureAwait(false);
        long available = vm is { Succeeded: true } ? ParseVmStat(vm.StandardOutput) : 0;
        return new HostResources
        {
            OperatingSystem = RuntimeInformation.OSDescription,
            CpuName = sysctl.TryGetValue("machdep.cpu.brand_string", out string? brand) ? brand : null,
            TotalMemoryBytes = total,
            AvailableMemoryBytes = total > 0 ? Math.Min(available, total) : available,
            CpuPercent = SampleCpu(),
        };
    }

    /// <summary>"name: value" lines of <c>sysctl name…</c>.</summary>
    public static Dictionary<string, string> ParseSysctl(string text)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string line in text.Split('\n'))
        {
            int colon = line.IndexOf(':');
            if (colon > 0)
            {
                values[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
            }
        }

        return values;
    }

    /// <summary>Available bytes from vm_stat: free, inactive and speculative pages (reclaimable without swapping).</summary>
    public static long ParseVmStat(string text)
    {
        long pageSize = 4096;
        long pages = 0;
        foreach (string line in text.Split('\n'))
        {
            int marker = line.IndexOf("page size of ", StringComparison.Ordinal);
            if (marker >= 0)
            {
                string rest = line.Substring(marker + 13);
                string digits = new(rest.TakeWhile(char.IsDigit).ToArray());
                if (long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out long size) && size > 0)
                {
                    pageSize = size;
                }

                continue;
            }

            int colon = line.IndexOf(':');
            if (colon <= 0)
            {
                continue;
            }

            string key = line.Substring(0, colon).Trim();
            if (key is "Pages free" or "Pages inactive" or "Pages speculative"
                && long.TryParse(line.Substring(colon + 1).Trim().TrimEnd('.'), NumberStyles.None, CultureInfo.InvariantCulture, out long n))
            {
                pages += n;
            }
        }

        return pages * pageSize;
    }

    private double? SampleCpu()
    {
        try
        {
            uint count = NativeMethods.HostCpuLoadInfoCount;
            var ticks = new uint[count];
            if (NativeMethods.host_statistics(NativeMethods.Host, NativeMethods.HostCpuLoadInfo, ticks, ref count) != 0)
            {
                return null;
            }

            // cpu_ticks: user, system, idle, nice.
            ulong busy = (ulong)ticks[0] + ticks[1] + ticks[3];
            return _cpu.Next(busy, busy + ticks[2]);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            return null;
        }
    }

    private static class NativeMethods
    {
        public const int HostCpuLoadInfo = 3;
        public const uint HostCpuLoadInfoCount = 4;
        private const string LibSystem = "/usr/lib/libSystem.dylib";

        // mach_host_self() hands out a send right each call; take one for the process.
        public static readonly uint Host = mach_host_self();

        [DllImport(LibSystem)]
        public static extern uint mach_host_self();

        [DllImport(LibSystem)]
        public static extern int host_statistics(uint host, int flavor, [Out] uint[] info, ref uint count);
    }
}
