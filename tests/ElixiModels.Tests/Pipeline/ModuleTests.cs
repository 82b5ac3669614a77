using System.Linq;
using System.Management.Automation;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

public sealed class ModuleTests
{
    internal static readonly string[] Cmdlets = { "Get-OllamaModel", "Install-OllamaModel", "Remove-OllamaModel", "Switch-OllamaModel", "Get-OllamaModelStatus", "Get-OllamaCache", "Clear-OllamaCache", "Set-OllamaCache", "Measure-OllamaModel", "Select-OllamaModel", "Stop-OllamaModel", "Get-OllamaBenchmark", "Clear-OllamaBenchmark" };

    [Fact]
    public void Manifest_passes_Test_ModuleManifest()
    {
        using PsSession ps = PsSession.Start();
        PsResult r = ps.Invoke("Test-ModuleManifest -Path $args[0]", Repo.Manifest);
        r.AssertNoErrors();
        PSObject info = Assert.Single(r.Output);
        Assert.Equal("ElixiModels", info.Properties["Name"].Value);
    }

    [Fact]
    public void Exports_exactly_the_listed_cmdlets_each_with_an_output_type()
    {
        using PsSession ps = PsSession.Start();
        PsResult r = ps.Invoke("Get-Command -Module ElixiModels");
        r.AssertNoErrors();
        Assert.Equal(Cmdlets.OrderBy(c => c), r.Output.Select(o => ((CommandInfo)o.BaseObject).Name).OrderBy(c => c));
        Assert.All(r.Output, o => Assert.NotEmpty(((CmdletInfo)o.BaseObject).OutputType));
    }

    [Fact]
    public void Reimport_with_Force_keeps_the_cmdlets()
    {
        using PsSession ps = PsSession.Start();
        PsResult r = ps.Invoke("Import-Module $args[0] -Force; (Get-Command -Module ElixiModels).Count", Repo.Manifest);
        r.AssertNoErrors();
        Assert.Equal(Cmdlets.Length, (int)r.Output.Last().BaseObject);
    }

    [Fact]
    public void Cmdlet_assembly_is_isolated_from_the_default_load_context()
    {
        using PsSession ps = PsSession.Start();
        PsResult r = ps.Invoke("[System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext((Get-Command Get-OllamaModel).ImplementingType.Assembly).Name");
        r.AssertNoErrors();
        Assert.Equal("ElixiModels", r.Output.Single().BaseObject);
    }
}
