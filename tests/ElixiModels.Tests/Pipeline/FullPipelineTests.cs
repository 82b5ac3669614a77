using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>The headline pipeline, end to end.</summary>
public sealed class FullPipelineTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public void Measure_select_and_switch_to_the_fastest_model()
    {
        _sim.State.MarkLoaded("llama3.2:3b");
        _sim.Ps.Invoke("Switch-OllamaModel llama3.2:3b").AssertNoErrors();

        PsResult r = _sim.Ps.Invoke(
            "Get-OllamaModel | Measure-OllamaModel -Count 3 -MaxTokens 6 | Select-OllamaModel -Task fast -OutVariable chosen | Switch-OllamaModel -OutVariable switched | Out-Null; $chosen; $switched");
        r.AssertNoErrors();
        Assert.Equal(2, r.Output.Count);
        PSObject chosen = r.Output[0];
        Assert.Equal("ElixiModels.Models.ModelSelection", chosen.BaseObject.GetType().FullName);
        Assert.Equal("gemma3:1b", chosen.Properties["Name"].Value);
        Assert.True((bool)chosen.Properties["SpeedMeasured"].Value);

        PSObject switched = r.Output[1];
        Assert.Equal("ElixiModels.Models.ModelSwitchResult", switched.BaseObject.GetType().FullName);
        Assert.Equal("gemma3:1b", switched.Properties["CurrentModel"].Value);
        Assert.Equal("llama3.2:3b", switched.Properties["PreviousModel"].Value);
        Assert.Equal("Switched", switched.Properties["Status"].Value);
        Assert.Contains(_sim.State.Loaded, l => l.Name == "gemma3:1b");
        Assert.DoesNotContain(_sim.State.Loaded, l => l.Name == "llama3.2:3b");
    }
}
