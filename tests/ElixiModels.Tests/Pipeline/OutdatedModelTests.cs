using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

public sealed class OutdatedModelTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    private string Registry => _sim.Uri.ToString();

    [Fact]
    public void Lists_only_models_whose_registry_digest_differs()
    {
        _sim.State.SetRemoteDigest("phi3:mini", new string('d', 64));
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Outdated -RegistryUri $args[0] -Verbose", Registry);
        r.AssertNoErrors();
        Assert.Empty(r.Warnings);
        PSObject m = Assert.Single(r.Output);
        Assert.Equal("ElixiModels.Models.OllamaModel", m.BaseObject.GetType().FullName);
        Assert.Equal("phi3:mini", m.Properties["Name"].Value);
        Assert.Contains(r.Verbose, v => v.StartsWith("phi3:mini: installed 4f2222927938", StringComparison.Ordinal) && v.Contains("dddddddddddd"));
        // The check is the desktop app's: HEAD on the library manifest.
        Assert.Contains(_sim.State.Log.Entries, e => e.Method == "HEAD" && e.Path == "/v2/library/phi3/manifests/mini");
    }

    [Fact]
    public void An_unreachable_registry_is_a_warning_naming_what_was_not_checked()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Outdated -RegistryUri $args[0] -TimeoutSec 3", SimulatedOllama.DeadUri().ToString());
        r.AssertNoErrors();
        Assert.Empty(r.Output);
        string warning = Assert.Single(r.Warnings);
        Assert.All(_sim.State.Installed, m => Assert.Contains(m.Name, warning));
        Assert.Contains("cannot reach", warning);
    }

    [Fact]
    public void Name_limits_what_is_checked()
    {
        _sim.State.SetRemoteDigest("phi3:mini", new string('d', 64));
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel llama* -Outdated -RegistryUri $args[0]", Registry);
        r.AssertNoErrors();
        Assert.Empty(r.Output);
        Assert.Single(_sim.State.Log.Entries, e => e.Method == "HEAD");
    }

    [Fact]
    public void A_model_the_registry_does_not_have_is_not_a_warning()
    {
        _sim.State.AddInstalled(new SimModel { Name = "my-assistant:latest" });
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Outdated -RegistryUri $args[0] -Verbose", Registry);
        r.AssertNoErrors();
        Assert.Empty(r.Warnings);
        Assert.Empty(r.Output);
        Assert.Contains(r.Verbose, v => v.StartsWith("my-assistant:latest: not in", StringComparison.Ordinal));
    }

    [Fact]
    public void An_invalid_registry_address_is_a_terminating_parameter_error()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Outdated -RegistryUri 'ftp://example.com'");
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith("InvalidRegistryUri", e.FullyQualifiedErrorId);
        Assert.Contains("ELIXI_REGISTRY", e.ErrorDetails.RecommendedAction);
    }
}
