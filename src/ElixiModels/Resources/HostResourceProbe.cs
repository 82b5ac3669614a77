using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>The probe for the machine the module runs on.</summary>
public static class HostResourceProbe
{
    /// <summary>How long a reading is reused: status calls in quick succession do not re-run nvidia-smi.</summary>
    public static readonly TimeSpan CacheFor = TimeSpan.FromSeconds(2);

    private static readonly Lazy<IHostResourceProbe> Instance = new(Create, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// One probe per process: CPU % is computed between successive readings, so it keeps the previous sample (the
    /// first is taken when the probe is created, at module import).
    /// </summary>
    public static IHostResourceProbe Shared => Instance.Value;

    /// <summary>The memory and CPU probe for the current OS, with the GPU tools that exist there, cached briefly.</summary>
    public static IHostResourceProbe Create()
    {
        IHostResourceProbe system;
        var gpus = new List<IGpuProbe>();
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Linux))
        {
            system = new LinuxResourceProbe("/proc");
            gpus.Add(new NvidiaSmiProbe());
            gpus.Add(new RocmSmiProbe());
        }
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            system = new WindowsResourceProbe();
            gpus.Add(new NvidiaSmiProbe());
        }
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX))
        {
            // Apple GPUs share the system memory, which vm_stat already reports.
            system = new MacResourceProbe();
        }
        else
        {
            system = new UnsupportedResourceProbe();
        }

        return new CachedResourceProbe(new CompositeResourceProbe(system, gpus), CacheFor);
    }
}

/// <summary>CPU % between successive readings of cumulative busy/total counters; the first reading has none.</summary>
internal sealed class CpuSampler
{
    private readonly object _gate = new();
    private (ulong Busy, ulong Total)? _previous;

    public double? Next(ulong busy, ulong total)
    {
        lock (_gate)
        {
            double? percent = null;
            if (_previous is { } p && total > p.Total && busy >= p.Busy)
            {
                percent = Math.Round(Math.Min(100, (busy - p.Busy) * 100.0 / (total - p.Total)), 1);
            }

            _previous = (busy, total);
            return percent;
        }
    }
}

/// <summary>Linux: /proc/meminfo for memory, two /proc/stat samples taken across calls for CPU %, /proc/cpuinfo for the name.</summary>
public sealed class LinuxResourceProbe : IHostResourceProbe
{
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

/// <summary>Windows: GlobalMemoryStatusEx for memory, two GetSystemTimes samples taken across calls for CPU %.</summary>
public sealed class WindowsResourceProbe : IHostResourceProbe
{
    private readonly CpuSampler _cpu = new();
    private string? _cpuName;

    public WindowsResourceProbe() => SampleCpu();

    public Task<HostResources> ReadAsync(CancellationToken cancellationToken)
    {
        var status = new MemoryStatusEx { Length = (uint)Marshal.SizeOf(typeof(MemoryStatusEx)) };
        if (!NativeMethods.GlobalMemoryStatusEx(ref status))
        {
            throw new InvalidOperationException($"GlobalMemoryStatusEx failed (error {Marshal.GetLastWin32Error()}).");
        }

        double? cpu = SampleCpu();
        _cpuName ??= ReadCpuName();
        return Task.FromResult(new HostResources
        {
            OperatingSystem = RuntimeInformation.OSDescription,
            CpuName = _cpuName,
            TotalMemoryBytes = (long)status.TotalPhys,
            AvailableMemoryBytes = (long)status.AvailPhys,
            CpuPercent = cpu,
        });
    }

    /// <summary>Busy and total 100-ns ticks from GetSystemTimes' idle, kernel (which includes idle) and user times.</summary>
    public static (ulong Busy, ulong Total) FromSystemTimes(long idle, long kernel, long user) =>
        ((ulong)(kernel - idle + user), (ulong)(kernel + user));

    private double? SampleCpu()
    {
        try
        {
            if (!NativeMethods.GetSystemTimes(out long idle, out long kernel, out long user))
            {
                return null;
            }

            (ulong busy, ulong total) = FromSystemTimes(idle, kernel, user);
            return _cpu.Next(busy, total);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    private static string? ReadCpuName()
    {
        try
        {
            var buffer = new System.Text.StringBuilder(256);
            uint size = (uint)(buffer.Capacity * 2);
            int rc = NativeMethods.RegGetValueW(NativeMethods.LocalMachine, @"HARDWARE\DESCRIPTION\System\CentralProcessor\0",
                "ProcessorNameString", NativeMethods.RrfRtRegSz, IntPtr.Zero, buffer, ref size);
            if (rc == 0 && buffer.Length > 0)
            {
                return buffer.ToString().Trim();
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
        }

        return Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER");
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct MemoryStatusEx
    {
        public uint Length;
        public uint MemoryLoad;
        public ulong TotalPhys;
        public ulong AvailPhys;
        public ulong TotalPageFile;
        public ulong AvailPageFile;
        public ulong TotalVirtual;
        public ulong AvailVirtual;
        public ulong AvailExtendedVirtual;
    }

    private static class NativeMethods
    {
        public static readonly IntPtr LocalMachine = new(unchecked((int)0x80000002));
        public const uint RrfRtRegSz = 0x00000002;

        [DllImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool GlobalMemoryStatusEx(ref MemoryStatusEx buffer);

        [DllImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool GetSystemTimes(out long idleTime, out long kernelTime, out long userTime);

        [DllImport("advapi32.dll", CharSet = CharSet.Unicode)]
        public static extern int RegGetValueW(IntPtr key, string subKey, string value, uint flags, IntPtr type, System.Text.StringBuilder data, ref uint size);
    }
}

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

/// <summary>Another OS: the machine name and processor count only.</summary>
internal sealed class UnsupportedResourceProbe : IHostResourceProbe
{
    public Task<HostResources> ReadAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new HostResources { OperatingSystem = RuntimeInformation.OSDescription });
}

/// <summary>The OS probe plus every GPU probe, read concurrently; a failing GPU tool just contributes no GPUs.</summary>
public sealed class CompositeResourceProbe : IHostResourceProbe
{
    private readonly IHostResourceProbe _system;
    private readonly IReadOnlyList<IGpuProbe> _gpus;

    public CompositeResourceProbe(IHostResourceProbe system, IReadOnlyList<IGpuProbe> gpus)
    {
        _system = system;
        _gpus = gpus;
    }

    public async Task<HostResources> ReadAsync(CancellationToken cancellationToken)
    {
        Task<IReadOnlyList<GpuInfo>[]> gpus = Task.WhenAll(_gpus.Select(g => ReadGpus(g, cancellationToken)));
        HostResources system = await _system.ReadAsync(cancellationToken).ConfigureAwait(false);
        IReadOnlyList<GpuInfo>[] found = await gpus.ConfigureAwait(false);
        return found.Sum(f => f.Count) == 0 ? system : system.WithGpus(found.SelectMany(f => f).ToList());
    }

    private static async Task<IReadOnlyList<GpuInfo>> ReadGpus(IGpuProbe probe, CancellationToken ct)
    {
        try
        {
            return await probe.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return Array.Empty<GpuInfo>();
        }
    }
}

/// <summary>Reuses a reading for a short time and shares one reading between concurrent callers.</summary>
public sealed class CachedResourceProbe : IHostResourceProbe
{
    private readonly IHostResourceProbe _inner;
    private readonly TimeSpan _ttl;
    private readonly Func<DateTimeOffset> _clock;
    private readonly object _gate = new();
    private Task<HostResources>? _current;
    private DateTimeOffset _startedAt;

    public CachedResourceProbe(IHostResourceProbe inner, TimeSpan timeToLive, Func<DateTimeOffset>? clock = null)
    {
        _inner = inner;
        _ttl = timeToLive;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    public Task<HostResources> ReadAsync(CancellationToken cancellationToken)
    {
        Task<HostResources> reading;
        lock (_gate)
        {
            DateTimeOffset now = _clock();
            bool reusable = _current is { } c && (!c.IsCompleted || (c.Status == TaskStatus.RanToCompletion && now - _startedAt < _ttl));
            if (!reusable)
            {
                // Not tied to one caller's token: others may share this reading; tool runs have their own timeouts.
                _current = Task.Run(() => _inner.ReadAsync(CancellationToken.None));
                _startedAt = now;
            }

            reading = _current!;
        }

        return WithCancellation(reading, cancellationToken);
    }

    private static async Task<T> WithCancellation<T>(Task<T> task, CancellationToken ct)
    {
        if (!ct.CanBeCanceled || task.IsCompleted)
        {
            return await task.ConfigureAwait(false);
        }

        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (ct.Register(() => cancelled.TrySetResult(true)))
        {
            if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
            {
                ct.ThrowIfCancellationRequested();
            }
        }

        return await task.ConfigureAwait(false);
    }
}
