using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

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
