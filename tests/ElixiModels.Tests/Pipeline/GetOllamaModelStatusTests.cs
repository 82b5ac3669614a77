using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

public sealed class GetOllamaModelStatusTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public async Task Before_any_switch_the_active_model_is_the_loaded_one_used_most_recently()
    {
        await _sim.LoadAsync("llama3.2:3b");
        await Task.Delay(50);
        await _sim.LoadAsync("qwen2.5-coder:7b");

        PsResult r = _sim.Ps.Invoke("Get-OllamaModelStatus");
        r.AssertNoErrors();
        Assert.Empty(r.Warnings);
        PSObject s = Assert.Single(r.Output);
        Assert.Equal("ElixiModels.Models.OllamaStatus", s.BaseObject.GetType().FullName);
        Assert.Equal("qwen2.5-coder:7b", s.Properties["ActiveModel"].Value);
        Assert.Equal("Loaded", s.Properties["Status"].Value.ToString());
        Assert.Equal("MostRecentlyUsed", s.Properties["ActiveModelSource"].Value);
        Assert.Equal(new[] { "completion", "tools", "insert" }, GetOllamaModelDetailedTests.Strings(s, "Capabilities"));
        Assert.Null(s.Properties["Performance"].Value);
        Assert.Equal(_sim.State.Version, s.Properties["ServerVersion"].Value);
        Assert.Equal(_sim.Uri.ToString().TrimEnd('/'), s.Properties["Host"].Value);
        Assert.True((bool)s.Properties["IsLocalServer"].Value);

        PSObject[] loaded = ((System.Collections.IEnumerable)s.Properties["LoadedModels"].Value).Cast<object>().Select(PSObject.AsPSObject).ToArray();
        Assert.Equal(new[] { "llama3.2:3b", "qwen2.5-coder:7b" }, loaded.Select(m => (string)m.Properties["Name"].Value).OrderBy(n => n));
        Assert.All(loaded, m =>
        {
            Assert.Equal("ElixiModels.Models.OllamaRunningModel", m.BaseObject.GetType().FullName);
            Assert.True((long)m.Properties["SizeBytes"].Value > 0);
            Assert.InRange((int)m.Properties["GpuPercent"].Value + (int)m.Properties["CpuPercent"].Value, 100, 100);
            Assert.True((DateTimeOffset)m.Properties["ExpiresAt"].Value > DateTimeOffset.UtcNow);
        });
        Assert.Equal(loaded.Sum(m => (long)m.Properties["SizeBytes"].Value), (long)s.Properties["LoadedMemoryBytes"].Value);

        PSObject resources = PSObject.AsPSObject(s.Properties["HostResources"].Value);
        Assert.True((long)resources.Properties["TotalMemoryBytes"].Value > 0);
        Assert.True((long)resources.Properties["AvailableMemoryBytes"].Value > 0);
        Assert.Equal(Environment.ProcessorCount, resources.Properties["LogicalProcessors"].Value);

        PSObject cache = PSObject.AsPSObject(s.Properties["Cache"].Value);
        Assert.Equal(1L, cache.Properties["Entries"].Value); // the active model's details
        Assert.Equal(1L, cache.Properties["Misses"].Value);

        PSObject again = _sim.Ps.Invoke("Get-OllamaModelStatus").Output.Single();
        Assert.Equal(1L, PSObject.AsPSObject(again.Properties["Cache"].Value).Properties["Hits"].Value);
        Assert.Equal(1, _sim.State.Log.Count("POST", "/api/show"));
    }

    [Fact]
    public void With_nothing_loaded_there_is_no_active_model()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModelStatus");
        r.AssertNoErrors();
        PSObject s = Assert.Single(r.Output);
        Assert.Null(s.Properties["ActiveModel"].Value);
        Assert.Equal("NotLoaded", s.Properties["Status"].Value.ToString());
        Assert.Empty(((System.Collections.IEnumerable)s.Properties["LoadedModels"].Value).Cast<object>());
        Assert.Equal(0, _sim.State.Log.Count("POST", "/api/show"));
    }

    [Fact]
    public void Server_down_still_returns_a_status_with_host_resources_and_a_warning()
    {
        string dead = SimulatedOllama.DeadUri().ToString();
        PsResult r = _sim.Ps.Invoke("Get-OllamaModelStatus -Uri $args[0]", dead);
        Assert.Empty(r.AllErrors);
        PSObject s = Assert.Single(r.Output);
        Assert.Equal("ServerUnreachable", s.Properties["Status"].Value.ToString());
        Assert.False((bool)s.Properties["IsReachable"].Value);
        Assert.Null(s.Properties["ServerVersion"].Value);
        Assert.Contains(dead.TrimEnd('/'), (string)s.Properties["ServerError"].Value);
        PSObject resources = PSObject.AsPSObject(s.Properties["HostResources"].Value);
        Assert.True((long)resources.Properties["TotalMemoryBytes"].Value > 0);
        Assert.True((long)resources.Properties["AvailableMemoryBytes"].Value > 0);
        Assert.NotNull(s.Properties["Cache"].Value);
        string warning = Assert.Single(r.Warnings);
        Assert.Contains("not reachable", warning);
    }

    [Fact]
    public void Several_servers_give_one_status_each()
    {
        string dead = SimulatedOllama.DeadUri().ToString();
        PsResult r = _sim.Ps.Invoke("Get-OllamaModelStatus -Uri $args[0], $args[1]", _sim.Uri.ToString(), dead);
        Assert.Empty(r.AllErrors);
        Assert.Equal(new[] { "NotLoaded", "ServerUnreachable" }, r.Output.Select(o => o.Properties["Status"].Value.ToString()).OrderBy(x => x));
    }

    [Fact]
    public async Task Default_view_reads_like_a_status_page()
    {
        await _sim.LoadAsync("llava:7b");
        PsResult r = _sim.Ps.Invoke("Get-OllamaModelStatus | Out-Default");
        r.AssertNoErrors();
        string text = _sim.Ps.Host.Text;
        Assert.Contains("ActiveModel", text);
        Assert.Contains("llava:7b", text);
        Assert.Contains("Ollama " + _sim.State.Version, text);
        Assert.Contains("CPU/GPU", text); // llava is split 15/85
        Assert.Contains("available of", text);
        Assert.Contains("Measure-OllamaModel", text);
        Assert.DoesNotContain("ElixiModels.Models.OllamaStatus", text);
    }

    [Fact]
    public void Host_resources_view_renders()
    {
        PsResult r = _sim.Ps.Invoke("(Get-OllamaModelStatus).HostResources | Out-Default");
        r.AssertNoErrors();
        Assert.Contains("UsableMemory", _sim.Ps.Host.Text);
        Assert.Contains("LogicalProcessors", _sim.Ps.Host.Text);
    }

}

public sealed class OllamaCacheTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public void Get_shows_entries_per_kind_hits_misses_and_the_24_hour_default()
    {
        _sim.Ps.Invoke("Get-OllamaModel -Detailed; Get-OllamaModel -Detailed").AssertNoErrors();
        PsResult r = _sim.Ps.Invoke("Get-OllamaCache");
        r.AssertNoErrors();
        PSObject s = Assert.Single(r.Output);
        int installed = _sim.State.Installed.Count;
        var kinds = GetOllamaModelDetailedTests.Kinds(s);
        Assert.Equal(installed, kinds["details"]);
        Assert.Equal((long)kinds.Values.Sum(), s.Properties["Entries"].Value);
        Assert.Equal((long)installed, s.Properties["Hits"].Value);
        Assert.Equal((long)installed, s.Properties["Misses"].Value);
        Assert.Equal(0.5, s.Properties["HitRate"].Value);
        Assert.Equal(TimeSpan.FromHours(24), s.Properties["TimeToLive"].Value);
    }

    [Fact]
    public void Clear_empties_the_cache_so_details_are_read_again()
    {
        _sim.Ps.Invoke("Get-OllamaModel -Name phi3 -Detailed").AssertNoErrors();
        PsResult cleared = _sim.Ps.Invoke("Clear-OllamaCache -PassThru");
        cleared.AssertNoErrors();
        Assert.Equal(0L, cleared.Output.Single().Properties["Entries"].Value);
        _sim.Ps.Invoke("Get-OllamaModel -Name phi3 -Detailed").AssertNoErrors();
        Assert.Equal(2, _sim.State.Log.Count("POST", "/api/show"));
    }

    [Fact]
    public void Clear_with_WhatIf_keeps_everything()
    {
        _sim.Ps.Invoke("Get-OllamaModel -Name phi3 -Detailed").AssertNoErrors();
        PsResult r = _sim.Ps.Invoke("Clear-OllamaCache -WhatIf; Get-OllamaCache");
        r.AssertNoErrors();
        Assert.Equal(1, GetOllamaModelDetailedTests.Kinds(r.Output.Single())["details"]);
        Assert.Contains("What if", _sim.Ps.Host.Text);
    }

    [Fact]
    public void Clear_by_kind_keeps_the_other_kinds()
    {
        _sim.Ps.Invoke("Get-OllamaModel -Name phi3 -Detailed; Get-OllamaModel -Available -Name 'llama3.2:3b' -RegistryUri $args[0]", _sim.Uri.ToString()).AssertNoErrors();
        PsResult r = _sim.Ps.Invoke("Clear-OllamaCache -Kind registry -PassThru");
        r.AssertNoErrors();
        var kinds = GetOllamaModelDetailedTests.Kinds(r.Output.Single());
        Assert.Equal(1, kinds["details"]);
        Assert.False(kinds.ContainsKey("registry"));
    }

    [Fact]
    public void Time_to_live_is_configurable_per_session()
    {
        PsResult r = _sim.Ps.Invoke("Set-OllamaCache -TimeToLive '01:30:00' -PassThru");
        r.AssertNoErrors();
        Assert.Equal(TimeSpan.FromMinutes(90), r.Output.Single().Properties["TimeToLive"].Value);

        using PsSession other = PsSession.Start(_sim.Uri);
        Assert.Equal(TimeSpan.FromHours(24), other.Invoke("Get-OllamaCache").Output.Single().Properties["TimeToLive"].Value);
    }

    [Fact]
    public void A_non_positive_time_to_live_is_rejected()
    {
        PsResult r = _sim.Ps.Invoke("Set-OllamaCache -TimeToLive '-00:00:01'");
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith("InvalidTimeToLive", e.FullyQualifiedErrorId);
    }

    [Fact]
    public void Each_session_has_its_own_cache()
    {
        _sim.Ps.Invoke("Get-OllamaModel -Detailed").AssertNoErrors();
        using PsSession other = PsSession.Start(_sim.Uri);
        Assert.Equal(0L, other.Invoke("Get-OllamaCache").Output.Single().Properties["Entries"].Value);
        other.Invoke("Get-OllamaModel -Detailed").AssertNoErrors();
        Assert.Equal(2 * _sim.State.Installed.Count, _sim.State.Log.Count("POST", "/api/show"));
    }
}
