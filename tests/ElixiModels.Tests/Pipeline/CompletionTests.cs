using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Tests.Pipeline;

/// <summary>Tab completion through TabExpansion2, as an interactive user gets it.</summary>
public sealed class CompletionTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public async Task InitializeAsync()
    {
        await _sim.InitializeAsync();
        // The first completion in a cold process may give up at its 300 ms budget while it connects; it still fills the
        // cache in the background. Start from a session that has listed once, as an interactive user has.
        _sim.Ps.Invoke("$null = Get-OllamaModel").AssertNoErrors();
    }

    public Task DisposeAsync() => _sim.DisposeAsync();

    private string[] Complete(string line)
    {
        PsResult r = _sim.Ps.Invoke("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", line);
        r.AssertNoErrors();
        return r.Output.Select(o => o.ToString()!).ToArray();
    }

    [Theory]
    [InlineData("Get-OllamaModel -Name ll", new[] { "llama3.2:3b", "llava:7b" })]
    [InlineData("Get-OllamaModel -Name LLA", new[] { "llama3.2:3b", "llava:7b" })]
    [InlineData("Get-OllamaModel -Name qwen", new[] { "qwen2.5-coder:7b" })]
    [InlineData("Get-OllamaModel -Name 'phi", new[] { "phi3:mini" })]
    [InlineData("Get-OllamaModel zz", new string[0])]
    public void Name_completes_installed_models_by_case_insensitive_prefix(string line, string[] expected)
    {
        Assert.Equal(expected, Complete(line));
    }

    [Fact]
    public void Names_that_need_quotes_are_quoted()
    {
        Assert.Equal("'a b'", ElixiModelsQuote("a b"));
        Assert.Equal("llama3.2:3b", ElixiModelsQuote("llama3.2:3b"));
    }

    [Fact]
    public void Completion_is_served_from_the_session_cache()
    {
        Complete("Get-OllamaModel -Name ll");
        int before = _sim.State.Log.Count("GET", "/api/tags");
        Complete("Get-OllamaModel -Name q");
        Complete("Get-OllamaModel -Name p");
        Assert.Equal(before, _sim.State.Log.Count("GET", "/api/tags"));
    }

    [Fact]
    public void Completion_gives_up_quickly_when_the_server_hangs()
    {
        using PsSession fresh = PsSession.Start(_sim.Uri);
        _sim.State.Faults.ResponseDelay = TimeSpan.FromSeconds(5);
        var sw = Stopwatch.StartNew();
        PsResult r = fresh.Invoke("(TabExpansion2 -inputScript 'Get-OllamaModel -Name ll' -cursorColumn 24).CompletionMatches");
        sw.Stop();
        Assert.Empty(r.Output);
        Assert.True(sw.ElapsedMilliseconds < 1000, $"completion took {sw.ElapsedMilliseconds} ms");
    }

    [Fact]
    public void A_slow_first_fetch_fills_the_cache_for_the_next_tab()
    {
        using PsSession fresh = PsSession.Start(_sim.Uri);
        _sim.State.Faults.ResponseDelay = TimeSpan.FromMilliseconds(600);
        Assert.Empty(fresh.Invoke("(TabExpansion2 -inputScript 'Get-OllamaModel -Name ll' -cursorColumn 24).CompletionMatches").Output);
        System.Threading.Thread.Sleep(900);
        PsResult r = fresh.Invoke("(TabExpansion2 -inputScript 'Get-OllamaModel -Name ll' -cursorColumn 24).CompletionMatches | ForEach-Object CompletionText");
        Assert.Equal(new object?[] { "llama3.2:3b", "llava:7b" }, r.Output.Select(o => o.BaseObject).ToArray());
    }

    [Fact]
    public void Completion_gives_up_quickly_when_the_server_is_down()
    {
        using PsSession fresh = PsSession.Start(SimulatedOllama.DeadUri());
        var sw = Stopwatch.StartNew();
        PsResult r = fresh.Invoke("(TabExpansion2 -inputScript 'Get-OllamaModel -Name ll' -cursorColumn 24).CompletionMatches");
        sw.Stop();
        Assert.Empty(r.Output);
        Assert.True(sw.ElapsedMilliseconds < 1000, $"completion took {sw.ElapsedMilliseconds} ms");
    }

    // "contains" lists names that must be offered, "absent" names that must not; every offer starts with the prefix.
    [Theory]
    [InlineData("Install-OllamaModel ll", "ll", new[] { "llama3.2:3b", "llava:7b", "llama3.1:8b" }, new string[0])]
    [InlineData("Install-OllamaModel NOMIC", "nomic", new[] { "nomic-embed-text:latest" }, new string[0])]
    [InlineData("Install-OllamaModel -Name qwen2.5", "qwen2.5", new[] { "qwen2.5-coder:7b", "qwen2.5-coder:1.5b" }, new string[0])]
    [InlineData("Switch-OllamaModel nom", "nom", new[] { "nomic-embed-text:latest" }, new string[0])]
    [InlineData("Remove-OllamaModel nom", "nom", new string[0], new[] { "nomic-embed-text:latest" })]
    [InlineData("Remove-OllamaModel ll", "ll", new[] { "llama3.2:3b", "llava:7b" }, new[] { "llama3.1:8b" })]
    public void Install_and_Switch_offer_catalog_names_Remove_only_installed_ones(string line, string prefix, string[] contains, string[] absent)
    {
        // nomic-embed-text is then only in the catalog, not on the server.
        _sim.State.RemoveInstalled("nomic-embed-text:latest");
        _sim.Ps.Invoke("$null = Get-OllamaModel").AssertNoErrors();
        string[] offered = Complete(line);
        Assert.All(offered, o => Assert.StartsWith(prefix, o, StringComparison.OrdinalIgnoreCase));
        Assert.All(contains, c => Assert.Contains(c, offered));
        Assert.All(absent, a => Assert.DoesNotContain(a, offered));
        Assert.Equal(offered.OrderBy(o => o, StringComparer.OrdinalIgnoreCase), offered);
    }

    [Fact]
    public void Catalog_names_are_offered_when_the_server_is_down()
    {
        string[] offered = Complete($"Install-OllamaModel -Uri {SimulatedOllama.DeadUri()} llama3.2");
        Assert.Contains("llama3.2:3b", offered);
        Assert.All(offered, o => Assert.StartsWith("llama3.2", o));
    }

    [Fact]
    public void Installs_and_removals_keep_completion_current()
    {
        Assert.Empty(Complete("Remove-OllamaModel mis"));
        _sim.Ps.Invoke("Install-OllamaModel mistral:7b").AssertNoErrors();
        Assert.Equal(new[] { "mistral:7b" }, Complete("Remove-OllamaModel mis"));
        _sim.Ps.Invoke("Remove-OllamaModel mistral:7b -Confirm:$false").AssertNoErrors();
        Assert.Empty(Complete("Remove-OllamaModel mis"));
    }

    // Every cmdlet with -Task completes the task types it accepts (Measure-OllamaModel only its prompt sets).
    [Theory]
    [InlineData("Get-OllamaModel -Available -Task c", new[] { "Coding", "Creative" })]
    [InlineData("Get-OllamaModel -Available -Task E", new[] { "Embedding" })]
    [InlineData("Measure-OllamaModel phi3:mini -Task ", new[] { "General", "Coding", "Analysis", "Creative", "Fast" })]
    [InlineData("Measure-OllamaModel phi3:mini -Task v", new string[0])]
    [InlineData("Select-OllamaModel -Task f", new[] { "Fast" })]
    [InlineData("Select-OllamaModel t", new[] { "Tools" })]
    public void Task_completes_task_types(string line, string[] expected)
    {
        Assert.Equal(expected.OrderBy(e => e), Complete(line).OrderBy(e => e));
    }

    [Theory]
    [InlineData("Measure-OllamaModel -Name ll", new[] { "llama3.2:3b", "llava:7b" })]
    [InlineData("Measure-OllamaModel GEM", new[] { "gemma3:1b" })]
    [InlineData("Select-OllamaModel general -InputObject ph", new[] { "phi3:mini" })]
    [InlineData("Get-OllamaModel -Available -Capability v", new[] { "vision" })]
    [InlineData("Get-OllamaModel -Available -Capability T", new[] { "thinking", "tools" })]
    public void Measure_and_Select_complete_installed_models_and_Capability_the_capabilities(string line, string[] expected)
    {
        Assert.Equal(expected, Complete(line));
    }

    private static string ElixiModelsQuote(string value) =>
        (string)typeof(ElixiModels.Models.OllamaModel).Assembly.GetType("ElixiModels.Arguments.ModelNameCompleter")!
            .GetMethod("Quote", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.Invoke(null, new object[] { value })!;
}
