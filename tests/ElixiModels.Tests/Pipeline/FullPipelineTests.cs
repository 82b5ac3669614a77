using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>Runs only when this build has the cmdlet <paramref name="typeName"/> implements; skipped (not failed) otherwise.</summary>
public sealed class FactWhenCmdletExistsAttribute : FactAttribute
{
    public FactWhenCmdletExistsAttribute(string typeName)
    {
        if (typeof(ElixiModels.Commands.OllamaCmdlet).Assembly.GetType(typeName) is null)
        {
            Skip = $"{typeName} is not in this build yet.";
        }
    }
}

/// <summary>The headline pipeline, end to end.</summary>
public sealed class FullPipelineTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [FactWhenCmdletExists("ElixiModels.Commands.SwitchOllamaModelCommand")]
    public void Measure_select_and_switch_to_the_fastest_model()
    {
        PsResult r = _sim.Ps.Invoke(
            "Get-OllamaModel | Measure-OllamaModel -Count 3 -MaxTokens 6 | Select-OllamaModel -Task fast -OutVariable chosen | Switch-OllamaModel -OutVariable switched | Out-Null; $chosen; $switched");
        r.AssertNoErrors();
        PSObject chosen = r.Output[0];
        Assert.Equal("ElixiModels.Models.ModelSelection", chosen.BaseObject.GetType().FullName);
        Assert.Equal("gemma3:1b", chosen.Properties["Name"].Value);
        Assert.True((bool)chosen.Properties["SpeedMeasured"].Value);
        Assert.All(r.Output.Skip(1), o => Assert.Equal("gemma3:1b", o.Properties["Name"]?.Value));
        Assert.Contains(_sim.State.Loaded, l => l.Name == "gemma3:1b");
    }
}
