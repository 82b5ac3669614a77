using System;
using System.Linq;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>-WhatIf on every lifecycle cmdlet: a "What if:" line, and no pull, load or delete reaches the server.</summary>
public sealed class WhatIfTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Theory]
    [InlineData("[pscustomobject]@{ Name = 'mistral:7b' } | Install-OllamaModel -WhatIf", "Download and install")]
    [InlineData("Install-OllamaModel phi3:mini -Force -WhatIf", "Update to the registry's current version")]
    [InlineData("Install-OllamaModel mistral:7b -AutoSwitch -WhatIf", "Download and install")]
    [InlineData("Get-OllamaModel -Name phi3 | Switch-OllamaModel -WhatIf", "Load and make active")]
    [InlineData("Switch-OllamaModel mistral:7b -AutoPull -WhatIf", "Download and install")]
    [InlineData("Get-OllamaModel | Remove-OllamaModel -WhatIf", "Delete the model")]
    [InlineData("Remove-OllamaModel phi3:mini -Force -WhatIf", "Delete the model")]
    public void Changes_nothing(string script, string action)
    {
        PsResult r = _sim.Ps.Invoke(script);
        r.AssertNoErrors();
        Assert.Empty(r.Output);
        Assert.Contains(_sim.Ps.Host.Lines, l => l.StartsWith("What if:", StringComparison.Ordinal) && l.Contains(action));
        Assert.DoesNotContain(_sim.State.Log.Entries, e => e.Path is "/api/pull" or "/api/generate" or "/api/delete" or "/api/chat");
        Assert.Equal(7, _sim.State.Installed.Count);
        Assert.Empty(_sim.State.Loaded);
    }

    [Fact]
    public void A_switch_under_WhatIf_leaves_the_session_as_it_was()
    {
        _sim.Ps.Invoke("Switch-OllamaModel llama3.2:3b").AssertNoErrors();
        _sim.Ps.Invoke("Switch-OllamaModel phi3:mini -WhatIf").AssertNoErrors();
        Assert.Equal(new[] { "llama3.2:3b" }, _sim.State.Loaded.Select(l => l.Name));
        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel llama3.2:3b");
        Assert.True((bool)r.Output.Single().Properties["WasAlreadyActive"].Value);
    }
}
