using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>
/// The issue's own pipeline: catalog models (Get-OllamaModel -Available, issue 3) piped into Install-OllamaModel and
/// on into Switch-OllamaModel. Every catalog model the simulator's library lacks is added to it (small, so fast), and
/// -Available asks the simulator's registry (through $PSDefaultParameterValues, so the pipeline reads as a user types it).
/// </summary>
public sealed class AvailableInstallPipelineTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    private List<string> CodingCatalogNames()
    {
        PsResult catalog = _sim.Ps.Invoke("Get-OllamaModel -Available -Task coding -Offline");
        catalog.AssertNoErrors();
        Assert.NotEmpty(catalog.Output);
        Assert.All(catalog.Output, o => Assert.Equal("ElixiModels.Models.OllamaCatalogModel", o.BaseObject.GetType().FullName));
        List<string> names = catalog.Property("Name").Cast<string>().ToList();
        foreach (string name in names.Where(n => _sim.State.FindRemote(n) is null))
        {
            _sim.State.AddRemote(new SimModel { Name = name, SizeBytes = 40_000_000, LayerCount = 3 });
        }

        _sim.Ps.Invoke("$PSDefaultParameterValues['Get-OllamaModel:RegistryUri'] = $args[0]", _sim.Uri.ToString()).AssertNoErrors();
        _sim.State.Log.Clear();
        return names;
    }

    [Fact]
    public void Available_coding_models_pipe_into_Install()
    {
        List<string> names = CodingCatalogNames();
        List<string> wereInstalled = names.Where(n => _sim.State.FindInstalled(n) is not null).ToList();

        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Task coding | Install-OllamaModel");
        r.AssertNoErrors();
        Assert.Equal(names.OrderBy(n => n), r.Property("Name").Cast<string>().OrderBy(n => n));
        Assert.All(r.Output, o => Assert.Equal("ElixiModels.Models.OllamaModel", o.BaseObject.GetType().FullName));
        Assert.All(names, n => Assert.NotNull(_sim.State.FindInstalled(n)));
        string[] pulled = _sim.State.Log.Entries.Where(e => e.Path == "/api/pull").Select(e => e.Model!).ToArray();
        Assert.Equal(names.Except(wereInstalled).OrderBy(n => n), pulled.OrderBy(n => n));
        Assert.Equal(wereInstalled.Count, r.Warnings.Count(w => w.Contains("already installed")));
    }

    [Fact]
    public void An_available_model_pipes_through_Install_into_Switch()
    {
        List<string> names = CodingCatalogNames();
        string pick = names.FirstOrDefault(n => _sim.State.FindInstalled(n) is null) ?? names[0];

        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Task coding | Where-Object Name -EQ $args[0] | Install-OllamaModel | Switch-OllamaModel", pick);
        r.AssertNoErrors();
        Assert.Equal(pick, r.Output.Single().Properties["CurrentModel"].Value);
        Assert.Equal(new[] { pick }, _sim.State.Loaded.Select(l => l.Name));
    }
}
