using System.Linq;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>-Name completion of the lifecycle cmdlets: catalog names for installing, and a cache kept current by installs and removals.</summary>
public sealed class LifecycleCompletionTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public async Task InitializeAsync()
    {
        await _sim.InitializeAsync();
        // nomic-embed-text is then only in the catalog, not on the server.
        _sim.State.RemoveInstalled("nomic-embed-text:latest");
        _sim.Ps.Invoke("$null = Get-OllamaModel").AssertNoErrors();
    }

    public Task DisposeAsync() => _sim.DisposeAsync();

    private string[] Complete(string line)
    {
        PsResult r = _sim.Ps.Invoke("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", line);
        r.AssertNoErrors();
        return r.Output.Select(o => o.ToString()!).ToArray();
    }

    [Theory]
    [InlineData("Install-OllamaModel ll", new[] { "llama3.2:3b", "llava:7b" })]
    [InlineData("Install-OllamaModel NOMIC", new[] { "nomic-embed-text:latest" })]
    [InlineData("Install-OllamaModel -Name qwen2.5", new[] { "qwen2.5-coder:7b" })]
    [InlineData("Switch-OllamaModel nom", new[] { "nomic-embed-text:latest" })]
    [InlineData("Remove-OllamaModel nom", new string[0])]
    [InlineData("Remove-OllamaModel ll", new[] { "llama3.2:3b", "llava:7b" })]
    public void Install_and_Switch_offer_catalog_names_Remove_only_installed_ones(string line, string[] expected)
    {
        Assert.Equal(expected, Complete(line));
    }

    [Fact]
    public void Catalog_names_are_offered_when_the_server_is_down()
    {
        Assert.Equal(new[] { "llama3.2:3b" }, Complete($"Install-OllamaModel -Uri {SimulatedOllama.DeadUri()} ll"));
    }

    [Fact]
    public void Installs_and_removals_keep_completion_current()
    {
        Assert.Empty(Complete("Remove-OllamaModel mis"));
        _sim.Ps.Invoke("Install-OllamaModel mistral:7b").AssertNoErrors();
        Assert.Equal(new[] { "mistral:7b" }, Complete("Remove-OllamaModel mis"));
        _sim.Ps.Invoke("Remove-OllamaModel mistral:7b -Confirm:$false").AssertNoErrors();
        Assert.Empty(Complete("Remove-OllamaModel mis"));
    }
}
