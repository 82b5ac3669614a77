using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Resources;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Unit;

public sealed class HostResourceTests : IDisposable
{
    private readonly string _temp = Path.Combine(Path.GetTempPath(), "elixi-proc-" + Guid.NewGuid().ToString("N"));

    public HostResourceTests() => Directory.CreateDirectory(_temp);

    public void Dispose() => Directory.Delete(_temp, recursive: true);

    private static string Recorded(params string[] parts) =>
        File.ReadAllText(Repo.Path2(new[] { "tests", "ElixiModels.Tests", "Unit", "Recorded" }.Concat(parts).ToArray()));

    [Fact]
    public void Meminfo_reads_total_and_available()
    {
        (long total, long available) = LinuxResourceProbe.ParseMeminfo(Recorded("linux", "meminfo"));
        Assert.Equal(24_684_084L * 1024, total);
        Assert.Equal(24_133_400L * 1024, available);
    }

    [Fact]
    public void Meminfo_without_MemAvailable_adds_free_buffers_and_cache()
    {
        (long total, long available) = LinuxResourceProbe.ParseMeminfo(Recorded("linux-3.10", "meminfo"));
        Assert.Equal(8_009_960L * 1024, total);
        Assert.Equal((512_344L + 203_412 + 4_120_300) * 1024, available);
    }

    [Fact]
    public void Stat_counts_idle_and_iowait_as_idle()
    {
        (ulong busy, ulong all) = LinuxResourceProbe.ParseStat(Recorded("linux", "stat.1"));
        Assert.Equal(701_064UL, all);
        Assert.Equal(701_064UL - 594_209 - 1_866, busy);
    }

    [Fact]
    public void Cpuinfo_gives_the_model_name()
    {
        Assert.Equal("AMD EPYC", LinuxResourceProbe.ParseCpuName(Recorded("linux", "cpuinfo")));
        Assert.Equal("Raspberry Pi 4 Model B Rev 1.4", LinuxResourceProbe.ParseCpuName("processor\t: 0\nBogoMIPS\t: 108.00\n\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n"));
        Assert.Null(LinuxResourceProbe.ParseCpuName(string.Empty));
    }

    [Fact]
    public async Task Cpu_percent_comes_from_two_samples_taken_across_calls_without_waiting()
    {
        File.WriteAllText(Path.Combine(_temp, "meminfo"), Recorded("linux", "meminfo"));
        File.WriteAllText(Path.Combine(_temp, "stat"), Recorded("linux", "stat.1"));
        File.WriteAllText(Path.Combine(_temp, "cpuinfo"), Recorded("linux", "cpuinfo"));
        var probe = new LinuxResourceProbe(_temp); // first sample: stat.1

        File.WriteAllText(Path.Combine(_temp, "stat"), Recorded("linux", "stat.2"));
        var sw = Stopwatch.StartNew();
        HostResources r = await probe.ReadAsync(CancellationToken.None);
        Assert.True(sw.ElapsedMilliseconds < 500, "a reading must not sleep to sample the CPU");

        // stat.2 - stat.1: busy 105028 - 104989 = 39 of 701262 - 701064 = 198 jiffies.
        Assert.Equal(Math.Round(39 * 100.0 / 198, 1), r.CpuPercent);
        Assert.Equal(24_684_084L * 1024, r.TotalMemoryBytes);
        Assert.Equal("AMD EPYC", r.CpuName);

        HostResources same = await probe.ReadAsync(CancellationToken.None);
        Assert.Null(same.CpuPercent); // no time passed between the two samples
    }

    // file | expected GPUs as "name;totalMiB;usedMiB;freeMiB;util" joined by "|"
    [Theory]
    [InlineData("one-gpu.csv", "NVIDIA GeForce RTX 4090;24564;1517;22683;3")]
    [InlineData("two-gpus.csv", "NVIDIA RTX A6000;49140;40211;8538;97|Tesla T4;15360;0;14930;0")]
    [InlineData("unified-memory.csv", "NVIDIA GB10;0;0;0;12")]
    public void Nvidia_smi_csv_is_parsed_from_MiB(string file, string expected)
    {
        IReadOnlyList<GpuInfo> gpus = NvidiaSmiProbe.ParseCsv(Recorded("nvidia-smi", file));
        Assert.Equal(expected, string.Join("|", gpus.Select(g =>
            $"{g.Name};{g.TotalBytes / 1048576};{g.UsedBytes / 1048576};{g.FreeBytes / 1048576};{g.UtilizationPercent}")));
        Assert.All(gpus, g => Assert.Equal("NVIDIA", g.Vendor));
    }

    [Fact]
    public void Nvidia_smi_name_with_a_comma_and_a_header_line()
    {
        GpuInfo gpu = Assert.Single(NvidiaSmiProbe.ParseCsv("name, memory.total [MiB], memory.used [MiB], memory.free [MiB], utilization.gpu [%]\nNVIDIA H100 80GB HBM3, PCIe, 81559, 4, 81003, [N/A]\n"));
        Assert.Equal("NVIDIA H100 80GB HBM3, PCIe", gpu.Name);
        Assert.Equal(81559L * 1048576, gpu.TotalBytes);
        Assert.Null(gpu.UtilizationPercent);
    }

    [Theory]
    [InlineData("rx7900.json", "Navi 31 [Radeon RX 7900 XT/7900 XTX/7900 GRE/7900M]", 25_753_026_560L, 1_067_651_072L, 4.0)]
    [InlineData("rocm5-lowercase.json", "Navi 21 [Radeon RX 6800/6800 XT / 6900 XT]", 17_163_091_968L, 12_812_288L, 0.0)]
    public void Rocm_smi_json_is_parsed_whatever_the_key_spelling(string file, string name, long total, long used, double util)
    {
        GpuInfo gpu = Assert.Single(RocmSmiProbe.ParseJson(Recorded("rocm-smi", file)));
        Assert.Equal(name, gpu.Name);
        Assert.Equal("AMD", gpu.Vendor);
        Assert.Equal(total, gpu.TotalBytes);
        Assert.Equal(used, gpu.UsedBytes);
        Assert.Equal(total - used, gpu.FreeBytes);
        Assert.Equal(util, gpu.UtilizationPercent);
    }

    [Theory]
    [InlineData("")]
    [InlineData("rocm-smi: command failed")]
    [InlineData("{\"system\": {\"Driver version\": \"6.8\"}}")]
    public void Rocm_smi_without_cards_gives_no_gpus(string text) => Assert.Empty(RocmSmiProbe.ParseJson(text));

    [Fact]
    public void Vm_stat_counts_free_inactive_and_speculative_pages()
    {
        Assert.Equal((13_425L + 404_398 + 7_917) * 16384, MacResourceProbe.ParseVmStat(Recorded("macos", "vm_stat.txt")));
        Assert.Equal(10L * 4096, MacResourceProbe.ParseVmStat("Pages free: 10.\n")); // no header: 4 KiB pages (Intel)
    }

    [Fact]
    public void Sysctl_lines_are_name_value_pairs()
    {
        Dictionary<string, string> values = MacResourceProbe.ParseSysctl(Recorded("macos", "sysctl.txt"));
        Assert.Equal("17179869184", values["hw.memsize"]);
        Assert.Equal("Apple M2 Pro", values["machdep.cpu.brand_string"]);
    }

    [Fact]
    public void Windows_kernel_time_includes_idle_time()
    {
        (ulong busy, ulong total) = WindowsResourceProbe.FromSystemTimes(idle: 700, kernel: 1000, user: 500);
        Assert.Equal(800UL, busy);
        Assert.Equal(1500UL, total);
    }

    [Fact]
    public async Task The_probe_for_this_machine_reads_memory_and_processors()
    {
        HostResources r = await HostResourceProbe.Create().ReadAsync(CancellationToken.None);
        Assert.True(r.TotalMemoryBytes > 0);
        Assert.InRange(r.AvailableMemoryBytes, 1, r.TotalMemoryBytes);
        Assert.Equal(Environment.ProcessorCount, r.LogicalProcessors);
        Assert.False(string.IsNullOrEmpty(r.OperatingSystem));
    }

    [Fact]
    public async Task Readings_are_cached_briefly_and_shared_by_concurrent_callers()
    {
        var inner = new CountingProbe(TimeSpan.FromMilliseconds(100));
        DateTimeOffset now = DateTimeOffset.UnixEpoch;
        var cached = new CachedResourceProbe(inner, TimeSpan.FromSeconds(2), () => now);

        HostResources[] concurrent = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => cached.ReadAsync(CancellationToken.None)));
        Assert.Equal(1, inner.Reads);
        Assert.All(concurrent, r => Assert.Same(concurrent[0], r));

        now += TimeSpan.FromSeconds(1);
        await cached.ReadAsync(CancellationToken.None);
        Assert.Equal(1, inner.Reads);

        now += TimeSpan.FromSeconds(1.5);
        await cached.ReadAsync(CancellationToken.None);
        Assert.Equal(2, inner.Reads);
    }

    [Fact]
    public async Task A_failed_reading_is_not_cached()
    {
        var inner = new CountingProbe(TimeSpan.Zero) { FailFirst = true };
        var cached = new CachedResourceProbe(inner, TimeSpan.FromMinutes(1));
        await Assert.ThrowsAsync<IOException>(() => cached.ReadAsync(CancellationToken.None));
        HostResources r = await cached.ReadAsync(CancellationToken.None);
        Assert.Equal(2, inner.Reads);
        Assert.Equal(1000, r.TotalMemoryBytes);
    }

    [Fact]
    public async Task A_caller_can_stop_waiting_without_cancelling_the_shared_reading()
    {
        var inner = new CountingProbe(TimeSpan.FromMilliseconds(300));
        var cached = new CachedResourceProbe(inner, TimeSpan.FromSeconds(2));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cached.ReadAsync(cts.Token));
        HostResources r = await cached.ReadAsync(CancellationToken.None);
        Assert.Equal(1, inner.Reads);
        Assert.Equal(1000, r.TotalMemoryBytes);
    }

    [Fact]
    public async Task Gpus_of_every_vendor_are_merged_and_a_failing_tool_adds_none()
    {
        var probe = new CompositeResourceProbe(new CountingProbe(TimeSpan.Zero), new IGpuProbe[]
        {
            new FixedGpus(NvidiaSmiProbe.ParseCsv(Recorded("nvidia-smi", "two-gpus.csv"))),
            new FailingGpus(),
            new FixedGpus(RocmSmiProbe.ParseJson(Recorded("rocm-smi", "rx7900.json"))),
        });
        HostResources r = await probe.ReadAsync(CancellationToken.None);
        Assert.Equal(new[] { "NVIDIA", "NVIDIA", "AMD" }, r.Gpus.Select(g => g.Vendor));
        Assert.Equal((8538L + 14930) * 1048576 + (25_753_026_560L - 1_067_651_072L), r.FreeVramBytes);
        Assert.Equal(1000, r.TotalMemoryBytes);
    }

    // size GB | available RAM GB | free VRAM GB | fits
    [Theory]
    [InlineData(4.7, 8.0, 0.0, true)]     // 5.64 needed, 7 usable
    [InlineData(4.7, 6.0, 0.0, false)]    // 5.64 needed, 5 usable
    [InlineData(4.7, 2.0, 8.0, true)]     // split over GPU and CPU: 9 usable
    [InlineData(19.9, 16.0, 9.0, true)]   // 23.88 needed, 23.93 usable
    [InlineData(19.9, 16.0, 8.0, false)]  // 23.88 needed, 22.93 usable
    [InlineData(0.3, 0.5, 0.0, false)]    // nothing is usable below the headroom
    public void Memory_fit_needs_size_plus_20_percent_within_ram_plus_vram_less_headroom(double sizeGb, double ramGb, double vramGb, bool fits)
    {
        var r = new HostResources
        {
            AvailableMemoryBytes = Gb(ramGb),
            Gpus = vramGb > 0 ? new[] { new GpuInfo { Name = "gpu", FreeBytes = Gb(vramGb) } } : Array.Empty<GpuInfo>(),
        };
        Assert.Equal(fits, MemoryFit.Fits(Gb(sizeGb), r));
        Assert.Equal(Math.Max(0, Gb(ramGb) + Gb(vramGb) - (1L << 30)), r.UsableMemoryBytes);
    }

    [Fact]
    public async Task An_external_tool_is_read_asynchronously_and_killed_after_its_timeout()
    {
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows))
        {
            return;
        }

        string sh = ExternalTool.Locate("sh") ?? "/bin/sh";
        ToolOutput? ok = await ExternalTool.RunAsync(sh, "-c \"echo out; echo err 1>&2; exit 3\"", TimeSpan.FromSeconds(10), CancellationToken.None);
        Assert.NotNull(ok);
        Assert.Equal("out", ok!.StandardOutput.Trim());
        Assert.Equal("err", ok.StandardError.Trim());
        Assert.Equal(3, ok.ExitCode);
        Assert.False(ok.Succeeded);

        var sw = Stopwatch.StartNew();
        ToolOutput? slow = await ExternalTool.RunAsync(sh, "-c \"sleep 30\"", TimeSpan.FromMilliseconds(300), CancellationToken.None);
        Assert.True(slow!.TimedOut);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"the timeout took {sw.Elapsed}");
    }

    [Fact]
    public async Task A_missing_tool_is_no_error()
    {
        Assert.Null(ExternalTool.Locate("elixi-no-such-tool-" + Guid.NewGuid().ToString("N")));
        Assert.Null(await ExternalTool.TryRunAsync("elixi-no-such-tool-x", "--version", TimeSpan.FromSeconds(1), CancellationToken.None));
        Assert.Null(await ExternalTool.RunAsync(Path.Combine(Path.GetTempPath(), "elixi-missing-binary"), string.Empty, TimeSpan.FromSeconds(1), CancellationToken.None));
    }

    private static long Gb(double gb) => (long)(gb * 1_000_000_000);

    private sealed class CountingProbe : IHostResourceProbe
    {
        private readonly TimeSpan _delay;
        private int _reads;

        public CountingProbe(TimeSpan delay) => _delay = delay;

        public bool FailFirst { get; set; }

        public int Reads => Volatile.Read(ref _reads);

        public async Task<HostResources> ReadAsync(CancellationToken cancellationToken)
        {
            int n = Interlocked.Increment(ref _reads);
            if (_delay > TimeSpan.Zero)
            {
                await Task.Delay(_delay, cancellationToken);
            }

            if (FailFirst && n == 1)
            {
                throw new IOException("proc is not mounted");
            }

            return new HostResources { TotalMemoryBytes = 1000, AvailableMemoryBytes = 500 };
        }
    }

    private sealed class FixedGpus : IGpuProbe
    {
        private readonly IReadOnlyList<GpuInfo> _gpus;

        public FixedGpus(IReadOnlyList<GpuInfo> gpus) => _gpus = gpus;

        public Task<IReadOnlyList<GpuInfo>> ReadAsync(CancellationToken cancellationToken) => Task.FromResult(_gpus);
    }

    private sealed class FailingGpus : IGpuProbe
    {
        public Task<IReadOnlyList<GpuInfo>> ReadAsync(CancellationToken cancellationToken) => throw new InvalidOperationException("driver mismatch");
    }
}
