using System;
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

    public async Task InitializeAsync()
    {
        await _first.InitializeAsync();
        var state = new SimulatorState();
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
    public void Lists_every_server_in_uri_order_with_its_host()
    {
        string a = _first.Uri.ToString().TrimEnd('/');
        string b = _second.BaseUri.ToString().TrimEnd('/');
        PsResult r = _first.Ps.Invoke("Get-OllamaModel -Uri $args[0], $args[1]", b, a);
        r.AssertNoErrors();
        var hosts = r.Property("Host").Cast<string>().ToList();
        Assert.Equal(2, hosts.Count(h => h == b));
        Assert.Equal(_first.State.Installed.Count, hosts.Count(h => h == a));
        Assert.Equal(new[] { b, b }, hosts.Take(2));
        Assert.Contains("mistral:7b", r.Property("Name"));
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
}
