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
    public void Lists_installed_models_as_typed_objects()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel");
        r.AssertNoErrors();
        Assert.Equal(_sim.State.Installed.Count, r.Output.Count);
        PSObject llama = r.Output.Single(o => (string)o.Properties["Name"].Value == "llama3.2:3b");
        Assert.Equal("ElixiModels.Models.OllamaModel", llama.BaseObject.GetType().FullName);
        Assert.Equal("llama3.2", llama.Properties["Model"].Value);
        Assert.Equal("3b", llama.Properties["Tag"].Value);
        Assert.Equal("llama", llama.Properties["Family"].Value);
        Assert.InRange((long)llama.Properties["ParameterSize"].Value, 3_100_000_000L, 3_300_000_000L);
        Assert.Equal("Q4_K_M", llama.Properties["Quantization"].Value);
        long size = (long)llama.Properties["SizeBytes"].Value;
        Assert.Equal(_sim.State.Installed.Single(m => m.Name == "llama3.2:3b").SizeBytes, size);
        Assert.Equal(size, llama.Properties["Size"].Value);
        Assert.Equal(64, ((string)llama.Properties["Digest"].Value).Length);
        Assert.False((bool)llama.Properties["IsLoaded"].Value);
        Assert.Equal(_sim.Uri.ToString().TrimEnd('/'), llama.Properties["Host"].Value);
        Assert.True(((DateTimeOffset)llama.Properties["ModifiedAt"].Value).Year > 2000);
    }

    [Theory]
    [InlineData("llama*", new[] { "llama3.2:3b" }, false)]
    [InlineData("ll*", new[] { "llama3.2:3b", "llava:7b" }, false)]
    [InlineData("LLAMA3.2", new[] { "llama3.2:3b" }, false)]
    [InlineData("llama3.2:3b", new[] { "llama3.2:3b" }, false)]
    [InlineData("*coder*", new[] { "qwen2.5-coder:7b" }, false)]
    [InlineData("nomic-embed-text", new[] { "nomic-embed-text:latest" }, false)]
    [InlineData("nothing*", new string[0], false)]
    [InlineData("llama3.2:70b", new string[0], true)]
    public void Name_filters_with_wildcards_and_implied_tags(string name, string[] expected, bool expectError)
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Name $args[0]", name);
        Assert.Equal(expected.OrderBy(x => x), r.Property("Name").Cast<string>().OrderBy(x => x));
        Assert.Equal(expectError, r.Errors.Count > 0);
    }

    [Fact]
    public void Unknown_name_is_an_error_with_suggestions()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Name lama3.2:3b");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("ModelNotFound", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Contains("llama3.2:3b", e.Exception.Message);
        Assert.Contains("Install-OllamaModel", e.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public async Task Loaded_lists_what_is_in_memory_with_placement_and_expiry()
    {
        await _sim.LoadAsync("llama3.2:3b");
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Loaded");
        r.AssertNoErrors();
        PSObject m = Assert.Single(r.Output);
        Assert.Equal("ElixiModels.Models.OllamaRunningModel", m.BaseObject.GetType().FullName);
        Assert.Equal("llama3.2:3b", m.Properties["Name"].Value);
        Assert.True((int)m.Properties["ContextLength"].Value > 0);
        Assert.True((DateTimeOffset)m.Properties["ExpiresAt"].Value > DateTimeOffset.UtcNow);
        Assert.Matches("^(100% (CPU|GPU)|\\d+%/\\d+% CPU/GPU)$", (string)m.Properties["Processor"].Value);
        Assert.InRange((TimeSpan)m.Properties["Until"].Value, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));

        PsResult all = _sim.Ps.Invoke("Get-OllamaModel");
        Assert.True((bool)all.Output.Single(o => (string)o.Properties["Name"].Value == "llama3.2:3b").Properties["IsLoaded"].Value);
        Assert.All(all.Output.Where(o => (string)o.Properties["Name"].Value != "llama3.2:3b"), o => Assert.False((bool)o.Properties["IsLoaded"].Value));
    }

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
    public void Objects_bind_by_property_name()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Name 'phi3*' | Get-OllamaModel");
        r.AssertNoErrors();
        Assert.Equal(new object?[] { "phi3:mini" }, r.Property("Name"));
    }

    [Fact]
    public void Unreachable_server_is_one_clear_error()
    {
        Uri dead = SimulatedOllama.DeadUri();
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Uri $args[0]", dead.ToString());
        Assert.Empty(r.Output);
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.Equal("OllamaUnreachable,ElixiModels.Commands.GetOllamaModelCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ConnectionError, e.CategoryInfo.Category);
        Assert.Contains(dead.ToString().TrimEnd('/'), e.Exception.Message);
        Assert.Contains("ollama serve", e.ErrorDetails.RecommendedAction);
        Assert.Contains("OLLAMA_HOST", e.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain(" at ElixiModels.", e.ToString());
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
    public void Invalid_uri_is_a_terminating_parameter_error()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Uri 'ftp://example.com'");
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith("InvalidOllamaUri", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, e.CategoryInfo.Category);
    }

    [Fact]
    public void Ollama_host_variable_is_honoured()
    {
        using PsSession ps = PsSession.Start();
        string hostPort = $"{_sim.Uri.Host}:{_sim.Uri.Port}";
        PsResult r = ps.Invoke("$env:OLLAMA_HOST = $args[0]; try { Get-OllamaModel -Name phi3 } finally { $env:OLLAMA_HOST = $null }", hostPort);
        r.AssertNoErrors();
        Assert.Equal(new object?[] { "phi3:mini" }, r.Property("Name"));
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
