using System.Linq;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>
/// The in-process engine the xUnit pipeline tests use. The module's own checks (manifest, exports, re-import, load
/// context) run as users meet them, in tests/Module.Tests.ps1 on real pwsh.
/// </summary>
public sealed class ModuleTests
{
    internal static readonly string[] Cmdlets = { "Get-OllamaModel", "Install-OllamaModel", "Remove-OllamaModel", "Switch-OllamaModel", "Get-OllamaModelStatus", "Get-OllamaCache", "Clear-OllamaCache", "Set-OllamaCache", "Measure-OllamaModel", "Select-OllamaModel", "Stop-OllamaModel", "Get-OllamaBenchmark", "Clear-OllamaBenchmark" };

    [Fact]
    public void The_engine_has_the_cmdlets_users_have_beside_the_module()
    {
        using PsSession ps = PsSession.Start();
        PsResult r = ps.Invoke("'b', 'a' | Sort-Object | Select-Object -First 1; @{ n = 1 } | ConvertTo-Json -Compress; (Get-Command -Module ElixiModels).Count");
        r.AssertNoErrors();
        Assert.Equal(new object[] { "a", "{\"n\":1}", Cmdlets.Length }, r.Output.Select(o => o.BaseObject));
    }
}
