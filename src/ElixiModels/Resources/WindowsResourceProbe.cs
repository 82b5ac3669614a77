using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>Windows: GlobalMemoryStatusEx for memory, two GetSystemTimes samples taken across calls for CPU %.</summary>
public sealed class WindowsResourceProbe : IHostResourceProbe
{
    private readonly CpuSampler _cpu = new();
    private string? _cpuName;

    public WindowsResourceProbe() => SampleCpu();

    public Task<HostResources> ReadAsync(CancellationToken cancellationToken)
    {
        var status = new MemoryStatusEx { Length = (uint)Marshal.SizeOf<MemoryStatusEx>() };
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
            var buffer = new char[256];
            uint size = (uint)(buffer.Length * 2);
            int rc = NativeMethods.RegGetValueW(NativeMethods.LocalMachine, @"HARDWARE\DESCRIPTION\System\CentralProcessor\0",
                "ProcessorNameString", NativeMethods.RrfRtRegSz, IntPtr.Zero, buffer, ref size);
            int length = Array.IndexOf(buffer, '\0');
            if (rc == 0 && length != 0)
            {
                return new string(buffer, 0, length < 0 ? buffer.Length : length).Trim();
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
        public static extern int RegGetValueW(IntPtr key, string subKey, string value, uint flags, IntPtr type, [Out] char[] data, ref uint size);
    }
}
