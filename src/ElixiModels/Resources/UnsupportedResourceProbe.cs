using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>Another OS: the machine name and processor count only.</summary>
internal sealed class UnsupportedResourceProbe : IHostResourceProbe
{
    public Task<HostResources> ReadAsync(CancellationToken cancellationToken) =>
        Task.FromResult(new HostResources { OperatingSystem = RuntimeInformation.OSDescription });
}
