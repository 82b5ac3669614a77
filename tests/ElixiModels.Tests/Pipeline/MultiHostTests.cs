using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>-Uri with several servers: queried in parallel, output server by server, every object carries its Host.</summary>
public sealed class MultiHostTests : IAsyncLifetime
{
    private readonly SimulatedOllama _first = new();
    private SimulatorServer _second = null!;
    private SimulatorState _secondState = null!;

    public async Task InitializeAsync()
    {
        await _first.InitializeAsync();
        var state = _secondState = new SimulatorState();
        state.AddInstalled(new SimModel { Name = "mistral:7b", Family = "llama", ParameterCount = 7_200_000_000 });
        state.AddInstalled(new SimModel { Name = "tinyllama:latest", Family = "llama", ParameterCount = 1_100_000_000 });
        _second = await SimulatorServer.StartAsync(state);
    }

    public async Task DisposeAsync()
    {
        await _first.DisposeAsync();
        await _second.DisposeAsync();
    }

    [Fact]
    public void A_server_that_is_down_is_an_error_for_that_server_only()
    {
        string dead = SimulatedOllama.DeadUri().ToString().TrimEnd('/');
        PsResult r = _first.Ps.Invoke("Get-OllamaModel -Uri $args[0], $args[1]", dead, _second.BaseUri.ToString());
        Assert.Equal(2, r.Output.Count);
        var e = Assert.Single(r.Errors);
        Assert.StartsWith("OllamaUnreachable", e.FullyQualifiedErrorId);
        Assert.Equal(dead, e.TargetObject);
    }

    private string A => _first.Uri.ToString().TrimEnd('/');

    private string B => _second.BaseUri.ToString().TrimEnd('/');

    [Fact]
    public void Piped_names_are_looked_up_on_the_server_they_came_from()
    {
        PsResult r = _first.Ps.Invoke("Get-OllamaModel -Uri $args[0], $args[1] | Where-Object Name -like 'mistral*' | Get-OllamaModel -Detailed", A, B);
        r.AssertNoErrors();
        Assert.Equal(new[] { B }, r.Property("Host"));
    }

    [Fact]
    public void An_explicit_uri_wins_over_the_piped_host()
    {
        PsResult r = _first.Ps.Invoke("Get-OllamaModel -Uri $args[1] -Name mistral:7b | Switch-OllamaModel -Uri $args[0]", A, B);
        var e = Assert.Single(r.Errors);
        Assert.StartsWith("ModelNotFound", e.FullyQualifiedErrorId);
        Assert.Empty(_secondState.Loaded);
    }
}
