using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

public sealed class GetOllamaModelDetailedTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    private int ShowRequests => _sim.State.Log.Count("POST", "/api/show");

    [Fact]
    public void Detailed_fills_capabilities_model_info_and_task_types()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Detailed");
        r.AssertNoErrors();
        Assert.Equal(_sim.State.Installed.Count, r.Output.Count);
        foreach (PSObject o in r.Output)
        {
            SimModel sim = _sim.State.FindInstalled((string)o.Properties["Name"].Value)!;
            Assert.True((bool)o.Properties["HasDetails"].Value);
            Assert.Equal(sim.Capabilities, Strings(o, "Capabilities"));
            Assert.Equal(sim.ContextLength, (int?)o.Properties["ContextLength"].Value);
            Assert.Equal(sim.EmbeddingLength, (int?)o.Properties["EmbeddingLength"].Value);
            Assert.Equal(sim.ParameterCount, (long?)o.Properties["ParameterCount"].Value);
            Assert.Equal(sim.Architecture, o.Properties["Architecture"].Value);
        }

        PSObject coder = r.Output.Single(o => (string)o.Properties["Name"].Value == "qwen2.5-coder:7b");
        Assert.Equal(new[] { "coding", "tools" }, Strings(coder, "TaskTypes"));
        PSObject embed = r.Output.Single(o => (string)o.Properties["Name"].Value == "nomic-embed-text:latest");
        Assert.Equal(new[] { "embedding" }, Strings(embed, "TaskTypes"));
        PSObject r1 = r.Output.Single(o => (string)o.Properties["Name"].Value == "deepseek-r1:8b");
        Assert.Equal("analysis", Strings(r1, "TaskTypes")[0]);
        Assert.Contains("stop", ((System.Collections.IDictionary)PSObject.AsPSObject(coder.Properties["Parameters"].Value).BaseObject).Keys.Cast<string>());
    }

    [Fact]
    public void A_second_Detailed_listing_makes_no_show_requests()
    {
        _sim.Ps.Invoke("Get-OllamaModel -Detailed").AssertNoErrors();
        Assert.Equal(_sim.State.Installed.Count, ShowRequests);

        PsResult again = _sim.Ps.Invoke("Get-OllamaModel -Detailed");
        again.AssertNoErrors();
        Assert.Equal(_sim.State.Installed.Count, ShowRequests);
        Assert.All(again.Output, o => Assert.NotEmpty(Strings(o, "Capabilities")));

        PSObject stats = _sim.Ps.Invoke("Get-OllamaCache").Output.Single();
        Assert.True((long)stats.Properties["Hits"].Value >= _sim.State.Installed.Count);
    }

    [Fact]
    public void A_changed_digest_refreshes_that_model_only()
    {
        _sim.Ps.Invoke("Get-OllamaModel -Detailed").AssertNoErrors();
        _sim.State.Log.Clear();
        _sim.State.SetDigest("phi3:mini", new string('e', 64));
        _sim.State.FindInstalled("phi3:mini")!.Capabilities = new[] { "completion", "tools" };

        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Detailed");
        r.AssertNoErrors();
        LoggedRequest show = Assert.Single(_sim.State.Log.Entries, e => e.Path == "/api/show");
        Assert.Equal("phi3:mini", show.Model);
        PSObject phi = r.Output.Single(o => (string)o.Properties["Name"].Value == "phi3:mini");
        Assert.Equal(new[] { "completion", "tools" }, Strings(phi, "Capabilities"));
        Assert.Contains("tools", Strings(phi, "TaskTypes"));

        // The stale entry was dropped: one details entry per installed model.
        PSObject stats = _sim.Ps.Invoke("Get-OllamaCache").Output.Single();
        Assert.Equal(_sim.State.Installed.Count, Kinds(stats)["details"]);
    }

    [Fact]
    public void Without_Detailed_capabilities_are_read_once_per_session_and_nothing_else_is_filled()
    {
        // Ollama 0.23 lists no capabilities in /api/tags; 0.30+ does (see the next test).
        _sim.State.Version = OllamaSimulator.SimulatorState.LegacyVersion;
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel");
        r.AssertNoErrors();
        Assert.Equal(_sim.State.Installed.Count, ShowRequests);
        Assert.All(r.Output, o =>
        {
            Assert.False((bool)o.Properties["HasDetails"].Value);
            Assert.NotEmpty(Strings(o, "Capabilities"));
            Assert.Null(o.Properties["Template"].Value);
            Assert.Null(o.Properties["ContextLength"].Value);
        });
        _sim.Ps.Invoke("Get-OllamaModel").AssertNoErrors();
        Assert.Equal(_sim.State.Installed.Count, ShowRequests);
    }

    [Fact]
    public void On_Ollama_030_and_later_the_listing_carries_capabilities_and_context_length()
    {
        _sim.State.Version = OllamaSimulator.SimulatorState.CurrentVersion;
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel");
        r.AssertNoErrors();
        Assert.Equal(0, ShowRequests);
        Assert.All(r.Output, o =>
        {
            OllamaSimulator.SimModel m = _sim.State.FindInstalled((string)o.Properties["Name"].Value)!;
            Assert.False((bool)o.Properties["HasDetails"].Value);
            Assert.Equal(m.Capabilities, Strings(o, "Capabilities"));
            Assert.Equal(m.ContextLength, (int)o.Properties["ContextLength"].Value);
        });
    }

    [Fact]
    public void Detailed_with_a_name_reads_only_the_matching_models()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Name 'llama3.2', 'llava' -Detailed");
        r.AssertNoErrors();
        Assert.Equal(2, r.Output.Count);
        Assert.Equal(2, ShowRequests);
        Assert.Equal(new[] { "llama3.2:3b", "llava:7b" }, _sim.State.Log.Entries.Where(e => e.Path == "/api/show").Select(e => e.Model).OrderBy(m => m));
    }

    [Fact]
    public void Refresh_reads_details_again()
    {
        _sim.Ps.Invoke("Get-OllamaModel -Name phi3 -Detailed").AssertNoErrors();
        _sim.Ps.Invoke("Get-OllamaModel -Name phi3 -Detailed -Refresh").AssertNoErrors();
        Assert.Equal(2, ShowRequests);
    }

    [Fact]
    public void Failing_show_lists_the_model_without_details_and_warns()
    {
        _sim.State.Faults.FailNext("/api/show", 500, "blob sha256-123 is corrupt", times: 100);
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Name gemma3 -Detailed");
        r.AssertNoErrors();
        PSObject gemma = Assert.Single(r.Output);
        Assert.False((bool)gemma.Properties["HasDetails"].Value);
        string warning = Assert.Single(r.Warnings);
        Assert.Contains("gemma3:1b", warning);
        Assert.Contains("blob sha256-123 is corrupt", warning);
    }

    [Fact]
    public void Default_view_shows_the_task_types()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Name qwen2.5-coder -Detailed | Out-Default");
        r.AssertNoErrors();
        Assert.Contains("qwen2.5-coder:7b", _sim.Ps.Host.Text);
        Assert.Contains("coding,tools", _sim.Ps.Host.Text);
    }

    internal static string[] Strings(PSObject o, string property) =>
        ((System.Collections.IEnumerable)o.Properties[property].Value).Cast<object>().Select(x => x.ToString()!).ToArray();

    internal static Dictionary<string, int> Kinds(PSObject stats) =>
        ((System.Collections.IEnumerable)PSObject.AsPSObject(stats.Properties["Kinds"].Value).BaseObject).Cast<object>()
            .Select(PSObject.AsPSObject)
            .ToDictionary(kv => (string)kv.Properties["Key"].Value, kv => (int)kv.Properties["Value"].Value);
}

/// <summary>Tests that measure time or change process-wide state: xUnit runs them alone, after the parallel ones.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NonParallelCollection
{
    public const string Name = "NonParallel";
}

[Collection(NonParallelCollection.Name)]
public sealed class DetailsConcurrencyTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public void Show_requests_run_at_most_four_at_a_time()
    {
        for (int i = 0; i < 9; i++)
        {
            _sim.State.AddInstalled(new SimModel { Name = $"extra{i}:1b", Digest = new string((char)('a' + i), 64) });
        }

        int models = _sim.State.Installed.Count; // 16: four waves of four
        _sim.State.Faults.ResponseDelay = TimeSpan.FromMilliseconds(300);
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Detailed");
        r.AssertNoErrors();
        Assert.Equal(models, r.Output.Count);

        DateTimeOffset[] arrivals = _sim.State.Log.Entries.Where(e => e.Path == "/api/show").Select(e => e.At).OrderBy(t => t).ToArray();
        Assert.Equal(models, arrivals.Length);
        for (int i = 4; i < arrivals.Length; i++)
        {
            // Request i can only start when request i-4 has been answered (each answer takes 300 ms).
            Assert.True(arrivals[i] - arrivals[i - 4] >= TimeSpan.FromMilliseconds(250), $"request {i} started {(arrivals[i] - arrivals[i - 4]).TotalMilliseconds} ms after request {i - 4}");
        }

        // …and four do run together: the whole listing takes about four waves, not sixteen.
        Assert.True(arrivals[^1] - arrivals[0] < TimeSpan.FromMilliseconds(300 * models / 2), $"the look-ups were serialised: {(arrivals[^1] - arrivals[0]).TotalMilliseconds} ms");
    }
}
