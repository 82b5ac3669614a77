using System;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

public sealed class SwitchOllamaModelTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    private string Host => _sim.Uri.ToString().TrimEnd('/');

    private string[] Generates() => _sim.State.Log.Entries.Where(e => e.Path == "/api/generate").Select(e => e.Body).ToArray();

    [Fact]
    public void An_expired_active_model_is_loaded_again()
    {
        _sim.Ps.Invoke("Switch-OllamaModel phi3:mini").AssertNoErrors();
        _sim.State.UnloadAll();
        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel phi3:mini");
        r.AssertNoErrors();
        PSObject result = Assert.Single(r.Output);
        Assert.False((bool)result.Properties["WasAlreadyActive"].Value);
        Assert.False((bool)result.Properties["Unloaded"].Value);
        Assert.Equal(new[] { "phi3:mini" }, _sim.State.Loaded.Select(l => l.Name));
    }

    [Theory]
    [InlineData("'10m'", "600")]
    [InlineData("'1h'", "3600")]
    [InlineData("'30s'", "30")]
    [InlineData("'-1'", "-1")]
    [InlineData("-1", "-1")]
    [InlineData("'Forever'", "-1")]
    [InlineData("90", "90")]
    [InlineData("([timespan]'00:02:00')", "120")]
    public void KeepAlive_is_sent_as_seconds_Ollama_accepts(string argument, string wire)
    {
        PsResult r = _sim.Ps.Invoke($"Switch-OllamaModel phi3:mini -KeepAlive {argument}");
        r.AssertNoErrors();
        Assert.Contains($"\"keep_alive\":{wire}", Assert.Single(Generates()));
        DateTimeOffset expires = _sim.State.Loaded.Single().ExpiresAt;
        if (wire == "-1")
        {
            Assert.True(expires > DateTimeOffset.UtcNow.AddYears(100));
            Assert.Equal(TimeSpan.MaxValue, r.Output.Single().Properties["KeepAlive"].Value);
            Assert.Equal("Forever", r.Output.Single().Properties["KeepAliveText"].Value);
        }
        else
        {
            Assert.InRange(expires, DateTimeOffset.UtcNow.AddSeconds(double.Parse(wire, CultureInfo.InvariantCulture) - 10), DateTimeOffset.UtcNow.AddSeconds(double.Parse(wire, CultureInfo.InvariantCulture) + 10));
        }
    }

    [Fact]
    public void KeepAlive_applies_even_to_the_active_model()
    {
        _sim.Ps.Invoke("Switch-OllamaModel phi3:mini").AssertNoErrors();
        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel phi3:mini -KeepAlive Forever");
        r.AssertNoErrors();
        Assert.True((bool)r.Output.Single().Properties["WasAlreadyActive"].Value);
        Assert.True(_sim.State.Loaded.Single().ExpiresAt > DateTimeOffset.UtcNow.AddYears(100));
    }

    [Theory]
    [InlineData("'soon'", "ParameterArgumentTransformationError")]
    [InlineData("'0'", "InvalidKeepAlive")]
    public void A_bad_KeepAlive_is_refused_before_anything_loads(string argument, string errorId)
    {
        PsResult r = _sim.Ps.Invoke($"Switch-OllamaModel phi3:mini -KeepAlive {argument}");
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith(errorId, e.FullyQualifiedErrorId);
        Assert.Empty(Generates());
    }

    [Fact]
    public void An_unknown_model_is_an_error_with_suggestions_from_installed_and_catalog_names()
    {
        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel qwen2.5-codr:7b");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("ModelNotFound,", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Contains("Did you mean: qwen2.5-coder:7b", e.Exception.Message);
        Assert.Contains("-AutoPull", e.ErrorDetails.RecommendedAction);
        Assert.Empty(r.Output);
        Assert.Empty(Generates());

        // A catalog model that is not installed is suggested too.
        _sim.State.RemoveInstalled("nomic-embed-text:latest");
        e = Assert.Single(_sim.Ps.Invoke("Switch-OllamaModel nomic-embed-txt").Errors);
        Assert.Contains("nomic-embed-text:latest", e.Exception.Message);
    }

    [Fact]
    public void AutoPull_installs_a_missing_model_with_progress_then_switches()
    {
        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel mistral:7b -AutoPull");
        r.AssertNoErrors();
        Assert.Equal("mistral:7b", r.Output.Single().Properties["CurrentModel"].Value);
        Assert.Single(_sim.State.Log.Entries, e => e.Path == "/api/pull");
        Assert.Equal(ProgressRecordType.Completed, r.Progress[^1].RecordType);
        Assert.Equal("Installing mistral:7b", r.Progress[0].Activity);
        Assert.Equal(new[] { "mistral:7b" }, _sim.State.Loaded.Select(l => l.Name));
    }

    [Fact]
    public void AutoPull_surfaces_a_failed_download_and_switches_nothing()
    {
        _sim.State.Faults.ErrorLineAfter("/api/pull", 2, "max retries exceeded: read tcp 10.0.0.2:51234->104.21.75.227:443: i/o timeout");
        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel mistral:7b -AutoPull");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("RegistryUnreachable,", e.FullyQualifiedErrorId);
        Assert.Contains("i/o timeout", e.Exception.Message);
        Assert.Empty(r.Output);
        Assert.Empty(Generates());
    }

    [Fact]
    public void A_switch_result_pipes_into_cmdlets_taking_Name()
    {
        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel phi3:mini | Get-OllamaModel");
        r.AssertNoErrors();
        Assert.Equal(new object?[] { "phi3:mini" }, r.Property("Name"));
    }

    [Fact]
    public void The_result_has_a_readable_table_view()
    {
        PsResult r = _sim.Ps.Invoke("Switch-OllamaModel phi3:mini | Out-Default");
        r.AssertNoErrors();
        string text = _sim.Ps.Host.Text;
        Assert.Contains("CurrentModel", text);
        Assert.Contains("Activated", text);
        Assert.Contains("phi3:mini", text);
        Assert.DoesNotContain("ElixiModels.Models.ModelSwitchResult", text);
    }
}
