using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>Reads host resources; one implementation per OS, no extra packages.</summary>
public interface IHostResourceProbe
{
    Task<HostResources> ReadAsync(CancellationToken cancellationToken);
}
