using System;
using System.Collections.Generic;
using System.Runtime.InteropServices;
using System.Threading;

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
