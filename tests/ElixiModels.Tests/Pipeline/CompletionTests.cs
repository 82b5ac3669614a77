using System;
using System.Diagnostics;
using System.Linq;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

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

    private static string ElixiModelsQuote(string value) =>
        (string)typeof(ElixiModels.Models.OllamaModel).Assembly.GetType("ElixiModels.Commands.ModelNameCompleter")!
            .GetMethod("Quote", System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.NonPublic)!.Invoke(null, new object[] { value })!;
}
