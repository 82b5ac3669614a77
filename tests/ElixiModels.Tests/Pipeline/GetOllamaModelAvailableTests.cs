using System;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

public sealed class GetOllamaModelAvailableTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    private string Registry => _sim.Uri.ToString();

    private int ManifestRequests => _sim.State.Log.Entries.Count(e => e.Path.StartsWith("/v2/", StringComparison.Ordinal));

    private static string Name(PSObject o) => (string)o.Properties["Name"].Value;

    [Fact]
    public void Offline_lists_the_shipped_catalog_and_marks_installed_models()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Offline");
        r.AssertNoErrors();
        Assert.Empty(r.Warnings);
        Assert.True(r.Output.Count >= 40);
        Assert.Equal(0, ManifestRequests);
        Assert.All(r.Output, o =>
        {
            Assert.Equal("ElixiModels.Models.OllamaCatalogModel", o.BaseObject.GetType().FullName);
            Assert.Equal("Catalog", o.Properties["Source"].Value);
            Assert.Equal(new DateTimeOffset(2026, 11, 24, 0, 0, 0, TimeSpan.Zero), o.Properties["CatalogDate"].Value);
            Assert.False(string.IsNullOrEmpty((string)o.Properties["Description"].Value));
            Assert.NotEmpty(GetOllamaModelDetailedTests.Strings(o, "TaskTypes"));
            Assert.Equal(_sim.Uri.ToString().TrimEnd('/'), o.Properties["Host"].Value);
            Assert.Equal(_sim.State.FindInstalled(Name(o)) is not null, (bool)o.Properties["IsInstalled"].Value);
        });
        Assert.Equal(_sim.State.Installed.Count, r.Output.Count(o => (bool)o.Properties["IsInstalled"].Value));
    }

    [Fact]
    public void The_live_registry_confirms_catalog_entries_without_duplicates()
    {
        PsResult offline = _sim.Ps.Invoke("Get-OllamaModel -Available -Offline");
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -RegistryUri $args[0]", Registry);
        r.AssertNoErrors();
        Assert.Equal(offline.Output.Select(Name), r.Output.Select(Name));
        Assert.Equal(r.Output.Count, r.Output.Select(Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());

        foreach (PSObject o in r.Output)
        {
            SimModel? remote = _sim.State.FindRemote(Name(o));
            Assert.Equal(remote is null ? "Catalog" : "Registry", o.Properties["Source"].Value);
            if (remote is not null)
            {
                Assert.Equal(remote.SizeBytes, (long)o.Properties["SizeBytes"].Value);
                Assert.Equal(remote.Digest, o.Properties["Digest"].Value);
            }
        }

        Assert.Equal(_sim.State.Remote.Count, r.Output.Count(o => (string)o.Properties["Source"].Value == "Registry"));
    }

    [Fact]
    public void Registry_answers_are_cached_for_the_session()
    {
        _sim.Ps.Invoke("Get-OllamaModel -Available -Task embedding -RegistryUri $args[0]", Registry).AssertNoErrors();
        int first = ManifestRequests;
        Assert.True(first > 0);
        PsResult again = _sim.Ps.Invoke("Get-OllamaModel -Available -Task embedding -RegistryUri $args[0]", Registry);
        again.AssertNoErrors();
        Assert.Equal(first, ManifestRequests);
        Assert.Contains(again.Output, o => (string)o.Properties["Source"].Value == "Registry");

        _sim.Ps.Invoke("Get-OllamaModel -Available -Task embedding -RegistryUri $args[0] -Refresh", Registry).AssertNoErrors();
        Assert.Equal(2 * first, ManifestRequests);
    }

    [Fact]
    public void A_model_only_the_registry_knows_is_found_by_name()
    {
        _sim.State.AddRemote(new SimModel { Name = "brand-new-model:14b", SizeBytes = 9_100_000_000, Capabilities = new[] { "completion" } });
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Name brand-new-model:14b -RegistryUri $args[0]", Registry);
        r.AssertNoErrors();
        PSObject m = Assert.Single(r.Output);
        Assert.Equal("brand-new-model:14b", Name(m));
        Assert.Equal("Registry", m.Properties["Source"].Value);
        Assert.Equal(9_100_000_000L, m.Properties["SizeBytes"].Value);
        Assert.Equal(14_000_000_000L, m.Properties["ParameterSize"].Value);
        Assert.False((bool)m.Properties["IsInstalled"].Value);
        Assert.Contains("analysis", GetOllamaModelDetailedTests.Strings(m, "TaskTypes"));
    }

    [Fact]
    public void A_name_nobody_knows_is_a_not_found_error()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Name 'no-such-model:1b' -RegistryUri $args[0]", Registry);
        Assert.Empty(r.Output);
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("ModelNotAvailable", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Contains("no-such-model:1b", e.Exception.Message);
    }

    [Fact]
    public void An_unreachable_registry_falls_back_to_the_catalog_silently_and_quickly()
    {
        var sw = Stopwatch.StartNew();
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Task coding -RegistryUri $args[0]", SimulatedOllama.DeadUri().ToString());
        r.AssertNoErrors();
        Assert.Empty(r.Warnings);
        Assert.NotEmpty(r.Output);
        Assert.All(r.Output, o => Assert.Equal("Catalog", o.Properties["Source"].Value));
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"took {sw.Elapsed}");

        // Remembered as offline: the next call does not try again.
        PsResult again = _sim.Ps.Invoke("Get-OllamaModel -Available -Task coding -RegistryUri $args[0] -Verbose", SimulatedOllama.DeadUri().ToString());
        again.AssertNoErrors();
        Assert.Contains(again.Verbose, v => v.Contains("catalog only"));
    }

    [Fact]
    public void Invalid_registry_uri_is_a_terminating_error()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -RegistryUri 'ftp://mirror'");
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith("InvalidRegistryUri", e.FullyQualifiedErrorId);
    }

    [Fact]
    public void Task_coding_FitsMemory_keeps_the_coding_models_that_fit_this_machine()
    {
        PsResult r = _sim.Ps.Invoke(
            "$s = Get-OllamaModelStatus; " +
            "$fit = @(Get-OllamaModel -Available -Task coding -FitsMemory -Offline -ContextLength 32768); " +
            "$all = @(Get-OllamaModel -Available -Task coding -Offline -ContextLength 32768); " +
            "@{ Budget = $s.HostResources.UsableMemoryBytes; Fit = $fit; All = $all }");
        r.AssertNoErrors();
        var result = (System.Collections.Hashtable)r.Output.Single().BaseObject;
        long budget = (long)result["Budget"]!;
        PSObject[] all = ((object[])result["All"]!).Select(PSObject.AsPSObject).ToArray();
        PSObject[] fit = ((object[])result["Fit"]!).Select(PSObject.AsPSObject).ToArray();

        Assert.True(all.Length >= 8);
        Assert.All(all, o => Assert.Contains("coding", GetOllamaModelDetailedTests.Strings(o, "TaskTypes")));
        string[] expected = all.Where(o => (long)o.Properties["RequiredMemoryBytes"].Value <= budget).Select(Name).ToArray();
        Assert.Equal(expected, fit.Select(Name));
        Assert.All(fit, o => Assert.True((bool)o.Properties["FitsMemory"].Value));
        Assert.All(all.Where(o => !expected.Contains(Name(o))), o => Assert.False((bool)o.Properties["FitsMemory"].Value));
        Assert.Contains(all, o => (long)o.Properties["RequiredMemoryBytes"].Value > budget); // qwen2.5-coder:32b at 32K tokens (29 GiB) does not fit a CI box
        Assert.All(all, o => Assert.Equal((long)PSObject.AsPSObject(o.Properties["EstimatedMemory"].Value).Properties["TotalBytes"].Value, (long)o.Properties["RequiredMemoryBytes"].Value));
    }

    [Theory]
    [InlineData("-Capability vision", "vision")]
    [InlineData("-Capability vision, tools", "vision,tools")]
    [InlineData("-Capability thinking -Task fast", "thinking")]
    [InlineData("-Task embedding", "embedding")]
    public void Capability_and_task_filters_hold_for_every_result(string args, string capabilities)
    {
        PsResult r = _sim.Ps.Invoke($"Get-OllamaModel -Available -Offline {args}");
        r.AssertNoErrors();
        Assert.NotEmpty(r.Output);
        Assert.All(r.Output, o =>
        {
            string[] caps = GetOllamaModelDetailedTests.Strings(o, "Capabilities");
            Assert.All(capabilities.Split(','), c => Assert.Contains(c, caps));
        });
        if (args.Contains("fast"))
        {
            Assert.All(r.Output, o => Assert.Contains("fast", GetOllamaModelDetailedTests.Strings(o, "TaskTypes")));
        }
    }

    [Fact]
    public void MaxSize_caps_the_download_size()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Offline -MaxSize 1GB");
        r.AssertNoErrors();
        Assert.NotEmpty(r.Output);
        Assert.All(r.Output, o => Assert.InRange((long)o.Properties["SizeBytes"].Value, 1, 1L << 30));
        Assert.Contains(r.Output, o => Name(o) == "nomic-embed-text:latest");

        PsResult vision = _sim.Ps.Invoke("Get-OllamaModel -Available -Offline -Capability vision -MaxSize 5GB");
        vision.AssertNoErrors();
        Assert.Equal(new[] { "gemma3:4b", "llava:7b", "moondream:1.8b", "granite3.2-vision:2b" }.OrderBy(n => n), vision.Output.Select(Name).OrderBy(n => n));
    }

    [Fact]
    public void Name_filters_the_catalog_with_wildcards()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Offline -Name 'qwen2.5-coder*', gemma3");
        r.AssertNoErrors();
        Assert.All(r.Output, o => Assert.Matches("^(qwen2\\.5-coder|gemma3):", Name(o)));
        Assert.Contains(r.Output, o => Name(o) == "gemma3:27b");
        Assert.Contains(r.Output, o => Name(o) == "qwen2.5-coder:32b");
    }

    [Fact]
    public void Catalog_objects_bind_by_name_to_the_other_cmdlets()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Offline -Name 'llama3.2:3b' | Get-OllamaModel");
        r.AssertNoErrors();
        Assert.Equal(new object?[] { "llama3.2:3b" }, r.Property("Name"));
        Assert.Equal("ElixiModels.Models.OllamaModel", r.Output.Single().BaseObject.GetType().FullName);
    }

    [Fact]
    public void With_the_server_down_the_catalog_is_listed_with_a_warning()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Offline -Task vision -Uri $args[0]", SimulatedOllama.DeadUri().ToString());
        Assert.Empty(r.Errors);
        Assert.NotEmpty(r.Output);
        Assert.All(r.Output, o => Assert.False((bool)o.Properties["IsInstalled"].Value));
        Assert.Contains(r.Warnings, w => w.Contains("IsInstalled may be wrong"));
    }

    [Theory]
    [InlineData("Get-OllamaModel -Available -Uri {0} -Name qwen2.5-cod", "qwen2.5-coder:1.5b,qwen2.5-coder:14b,qwen2.5-coder:32b,qwen2.5-coder:7b")]
    [InlineData("Get-OllamaModel -Uri {0} -Name qwen2.5-cod", "qwen2.5-coder:7b")]
    [InlineData("Get-OllamaModel -Available -Capability vi", "vision")]
    [InlineData("Get-OllamaModel -Available -Task cod", "Coding")]
    public void Names_capabilities_and_tasks_complete(string line, string expected)
    {
        line = string.Format(System.Globalization.CultureInfo.InvariantCulture, line, _sim.Uri);
        PsResult r = _sim.Ps.Invoke("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", line);
        r.AssertNoErrors();
        Assert.Equal(expected, string.Join(",", r.Output.Select(o => o.BaseObject.ToString()).OrderBy(x => x, StringComparer.OrdinalIgnoreCase)));
    }

    [Fact]
    public void Default_table_view_shows_fit_and_installed()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Available -Offline -Name 'llama3.2*' | Out-Default");
        r.AssertNoErrors();
        string text = _sim.Ps.Host.Text;
        Assert.Contains("Fits", text);
        Assert.Contains("Installed", text);
        Assert.Contains("llama3.2:3b", text);
        Assert.DoesNotContain("Meta's small Llama 3.2", text); // long text: the list view shows Description
        Assert.DoesNotContain("ElixiModels.Models.OllamaCatalogModel", text);
    }
}

/// <summary>These set process-wide environment variables, so they run alone.</summary>
[Collection(NonParallelCollection.Name)]
public sealed class ProcessEnvironmentTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public void Registry_address_comes_from_ELIXI_REGISTRY_when_not_given()
    {
        PsResult r = _sim.Ps.Invoke("$env:ELIXI_REGISTRY = $args[0]; try { Get-OllamaModel -Available -Name 'llama3.2:3b' } finally { $env:ELIXI_REGISTRY = $null }", _sim.Uri.ToString());
        r.AssertNoErrors();
        Assert.Equal("Registry", Assert.Single(r.Output).Properties["Source"].Value);
    }

    [Fact]
    public void Cache_cmdlets_ignore_a_broken_OLLAMA_HOST()
    {
        using PsSession ps = PsSession.Start();
        PsResult r = ps.Invoke("$env:OLLAMA_HOST = 'ftp://nowhere'; try { Get-OllamaCache; Clear-OllamaCache } finally { $env:OLLAMA_HOST = $null }");
        r.AssertNoErrors();
        Assert.Single(r.Output);
    }
}
