using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Reliability;

/// <summary>Several runspaces at once, and stopping pipelines.</summary>
public sealed class ConcurrencyTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public void Eight_runspaces_of_a_pool_list_models_at_once()
    {
        InitialSessionState iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { Repo.Manifest });
        using RunspacePool pool = RunspaceFactory.CreateRunspacePool(8, 8, iss, new TestHost());
        pool.Open();
        var pipelines = Enumerable.Range(0, 16).Select(i =>
        {
            PowerShell ps = PowerShell.Create();
            ps.RunspacePool = pool;
            ps.AddScript("param($u) 1..5 | ForEach-Object { Get-OllamaModel -Uri $u } ; Get-OllamaModel -Uri $u -Name llama3.2").AddArgument(_sim.Uri.ToString());
            return (ps, handle: ps.BeginInvoke());
        }).ToList();

        foreach ((PowerShell ps, IAsyncResult handle) in pipelines)
        {
            List<PSObject> output = ps.EndInvoke(handle).ToList();
            Assert.Empty(ps.Streams.Error);
            Assert.Equal(5 * _sim.State.Installed.Count + 1, output.Count);
            ps.Dispose();
        }
    }

    [Fact]
    public void Eight_runspaces_mix_every_read_while_the_server_fails_some_requests()
    {
        // Shared HttpClients, the host probe and the catalog are used by all eight at once; failures stay in their pipeline.
        _sim.State.Faults.FailNext("/api/show", 500, "failed to read gguf", 6);
        InitialSessionState iss = InitialSessionState.CreateDefault2();
        iss.ImportPSModule(new[] { Repo.Manifest });
        using RunspacePool pool = RunspaceFactory.CreateRunspacePool(8, 8, iss, new TestHost());
        pool.Open();
        string[] scripts =
        {
            "param($u) @(Get-OllamaModel -Uri $u -Detailed).Count",
            "param($u) @(Get-OllamaModel -Uri $u -Available -Offline).Count",
            "param($u) @(Get-OllamaModelStatus -Uri $u).Count",
            "param($u) @(Select-OllamaModel coding -Uri $u -All).Count",
        };
        var pipelines = Enumerable.Range(0, 24).Select(i =>
        {
            PowerShell ps = PowerShell.Create();
            ps.RunspacePool = pool;
            ps.AddScript(scripts[i % scripts.Length]).AddArgument(_sim.Uri.ToString());
            return (ps, kind: i % scripts.Length, handle: ps.BeginInvoke());
        }).ToList();

        var counts = new Dictionary<int, HashSet<int>>();
        foreach ((PowerShell ps, int kind, IAsyncResult handle) in pipelines)
        {
            PSObject count = Assert.Single(ps.EndInvoke(handle));
            Assert.Empty(ps.Streams.Error);
            Assert.All(ps.Streams.Warning, w => Assert.Contains("failed to read gguf", w.Message));
            (counts.TryGetValue(kind, out HashSet<int>? set) ? set : counts[kind] = new HashSet<int>()).Add((int)count.BaseObject);
            ps.Dispose();
        }

        // Every runspace saw the same answer for the same question.
        Assert.All(counts.Values, set => Assert.Single(set));
        Assert.Equal(_sim.State.Installed.Count, counts[0].Single());
        Assert.Equal(1, counts[2].Single());
    }

    [Fact]
    public void ForEach_Object_Parallel_uses_the_module_in_each_runspace()
    {
        PsResult r = _sim.Ps.Invoke(
            "1..8 | ForEach-Object -Parallel { Import-Module $using:manifest; @(Get-OllamaModel -Uri $using:uri).Count } -ThrottleLimit 8".Replace("$using:manifest", "'" + Repo.Manifest + "'").Replace("$using:uri", "'" + _sim.Uri + "'"));
        r.AssertNoErrors();
        Assert.Equal(8, r.Output.Count);
        Assert.All(r.Output, o => Assert.Equal(_sim.State.Installed.Count, (int)o.BaseObject));
    }

    [Fact]
    public void Stopping_a_slow_listing_returns_within_a_second_and_the_next_command_works()
    {
        _sim.State.Faults.ResponseDelay = TimeSpan.FromSeconds(20);
        (PsResult r, TimeSpan took) = _sim.Ps.InvokeAndStop("Get-OllamaModel", TimeSpan.FromMilliseconds(400));
        Assert.True(took < TimeSpan.FromSeconds(1), $"stop took {took}");
        Assert.Empty(r.Output);

        _sim.State.Faults.Reset();
        _sim.Ps.Invoke("Get-OllamaModel").AssertNoErrors();
    }

    [Fact]
    public void Each_runspace_has_its_own_session_cache()
    {
        using PsSession other = PsSession.Start(_sim.Uri);
        _sim.Ps.Invoke("$null = Get-OllamaModel").AssertNoErrors();
        int before = _sim.State.Log.Count("GET", "/api/tags");
        // The other session has no cached names, so completing there asks the server.
        other.Invoke("(TabExpansion2 -inputScript 'Get-OllamaModel -Name ll' -cursorColumn 24).CompletionMatches");
        Assert.Equal(before + 1, _sim.State.Log.Count("GET", "/api/tags"));
    }
}
