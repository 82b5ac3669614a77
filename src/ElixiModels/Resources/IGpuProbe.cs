using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>Reads the GPUs of one vendor through its command-line tool; an empty list when the tool is absent.</summary>
public interface IGpuProbe
{
    Task<IReadOnlyList<GpuInfo>> ReadAsync(CancellationToken cancellationToken);
}
