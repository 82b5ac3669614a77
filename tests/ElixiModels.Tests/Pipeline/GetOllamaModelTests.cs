using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

public sealed class GetOllamaModelTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public async Task A_name_that_ps_lists_twice_is_listed_once()
    {
        // Ollama keeps the runner of a re-created model until it expires, next to the new one (the ps_loaded capture).
        await _sim.LoadAsync("llama3.2:3b");
        _sim.State.SetDigest("llama3.2:3b", SimModel.Sha256Hex("re-created"));
        await _sim.LoadAsync("llama3.2:3b");
        Assert.Equal(2, _sim.State.Loaded.Count(l => l.Name == "llama3.2:3b"));

        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Loaded");
        r.AssertNoErrors();
        Assert.Equal("llama3.2:3b", Assert.Single(r.Output).Properties["Name"].Value);
        PsResult status = _sim.Ps.Invoke("Get-OllamaModelStatus");
        status.AssertNoErrors();
        PsResult all = _sim.Ps.Invoke("Get-OllamaModel");
        all.AssertNoErrors();
        Assert.Single(all.Output, o => (string)o.Properties["Name"].Value == "llama3.2:3b");
    }

    [Fact]
    public void Server_error_text_is_surfaced()
    {
        _sim.State.Faults.FailNext("/api/tags", 500, "disk read failed: input/output error", times: 10);
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("OllamaServerError", e.FullyQualifiedErrorId);
        Assert.Contains("disk read failed: input/output error", e.Exception.Message);
    }

    [Fact]
    public void Default_table_view_reads_better_than_ollama_list()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel | Out-Default");
        r.AssertNoErrors();
        string text = _sim.Ps.Host.Text;
        Assert.Contains("Name", text);
        Assert.Contains("Params", text);
        Assert.Contains("Tasks", text);
        Assert.Contains("qwen2.5-coder:7b", text);
        Assert.Contains("4.4 GiB", text);
        Assert.DoesNotContain("ElixiModels.Models.OllamaModel", text);
    }
}
