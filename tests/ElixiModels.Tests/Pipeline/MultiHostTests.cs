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

    private string A => _first.Uri.ToString().TrimEnd('/');

    private string B => _second.BaseUri.ToString().TrimEnd('/');

    [Fact]
    public void Piped_models_are_removed_from_the_server_they_came_from()
    {
        PsResult r = _first.Ps.Invoke("Get-OllamaModel -Uri $args[0], $args[1] | Where-Object Name -eq tinyllama:latest | Remove-OllamaModel -Confirm:$false -PassThru", A, B);
        r.AssertNoErrors();
        Assert.Equal(new[] { B }, r.Property("Host"));
        Assert.Null(_secondState.FindInstalled("tinyllama:latest"));
        Assert.Equal(0, _first.State.Log.Count("DELETE", "/api/delete"));
    }

    [Fact]
    public void Piped_models_are_switched_on_the_server_they_came_from()
    {
        PsResult r = _first.Ps.Invoke("Get-OllamaModel -Uri $args[0], $args[1] | Where-Object Name -eq 'mistral:7b' | Switch-OllamaModel", A, B);
        r.AssertNoErrors();
        Assert.Equal("ElixiModels.Models.ModelSwitchResult", r.Output.Single().TypeNames[0]);
        Assert.Equal(B, r.Property("Host").Single());
        Assert.Equal("mistral:7b", r.Property("CurrentModel").Single());
        Assert.Contains(_secondState.Loaded, m => m.Name == "mistral:7b");
        Assert.Empty(_first.State.Loaded);
    }

    [Fact]
    public void Piped_models_from_two_servers_are_measured_each_on_its_own_server()
    {
        PsResult r = _first.Ps.Invoke(
            "Get-OllamaModel -Uri $args[0], $args[1] | Where-Object { $_.Name -in 'mistral:7b', 'gemma3:1b' } | Measure-OllamaModel -Count 1 -Warmup 0 -MaxTokens 8", A, B);
        r.AssertNoErrors();
        var measured = r.Output.Select(o => ((string)o.Properties["Name"].Value, (string)o.Properties["Host"].Value)).OrderBy(p => p.Item1).ToList();
        Assert.Equal(new[] { ("gemma3:1b", A), ("mistral:7b", B) }, measured);
    }

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

    [Fact]
    public void Status_across_the_fleet_is_one_object_per_server()
    {
        PsResult r = _first.Ps.Invoke("Get-OllamaModelStatus -Uri $args[0], $args[1]", A, B);
        r.AssertNoErrors();
        Assert.Equal(new[] { A, B }, r.Property("Host"));
        Assert.All(r.Property("IsReachable"), v => Assert.True((bool)v!));
    }

    [Fact]
    public void Selection_across_the_fleet_ranks_models_of_every_server()
    {
        PsResult r = _first.Ps.Invoke("Select-OllamaModel -Uri $args[0], $args[1] -Task general -All", A, B);
        r.AssertNoErrors();
        var hosts = r.Property("Host").Cast<string>().ToHashSet();
        Assert.Equal(new HashSet<string> { A, B }, hosts);
        Assert.Equal(1, r.Output[0].Properties["Rank"].Value);
    }
}
