using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

public sealed class MeasureOllamaModelTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    [Fact]
    public void Every_request_varies_its_prompt_and_fixes_temperature_and_seed()
    {
        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel phi3:mini -Count 4 -Warmup 2 -MaxTokens 5");
        r.AssertNoErrors();
        List<JsonElement> requests = Generates("phi3:mini");
        Assert.Equal(6, requests.Count);
        Assert.Equal(4, P<int>(r.Output[0], "RunCount"));
        List<string> prompts = requests.Select(b => b.GetProperty("prompt").GetString()!).ToList();
        Assert.Equal(prompts.Count, prompts.Distinct().Count());
        Assert.Equal(prompts.Count, prompts.Select(p => p.Substring(0, 8)).Distinct().Count());
        Assert.All(requests, b =>
        {
            JsonElement options = b.GetProperty("options");
            Assert.Equal(0, options.GetProperty("temperature").GetDouble());
            Assert.Equal(42, options.GetProperty("seed").GetInt32());
            Assert.Equal(5, options.GetProperty("num_predict").GetInt32());
            Assert.True(b.GetProperty("stream").GetBoolean());
        });
        // The counted runs report the prompts they sent: the last four requests.
        Assert.Equal(prompts.Skip(2), Runs(r.Output[0]).Select(x => (string)x.Properties["Prompt"].Value));
    }

    [Fact]
    public void A_custom_prompt_is_still_varied_per_run()
    {
        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel gemma3:1b -Count 3 -MaxTokens 4 -Prompt 'Why is the sky blue?'");
        r.AssertNoErrors();
        Assert.Equal("custom", r.Output[0].Properties["PromptSet"].Value);
        List<string> prompts = Generates("gemma3:1b").Select(b => b.GetProperty("prompt").GetString()!).ToList();
        Assert.Equal(4, prompts.Distinct().Count());
        Assert.All(prompts, p => Assert.EndsWith(" Why is the sky blue?", p));
    }

    [Fact]
    public void Binds_models_from_the_pipeline_and_wildcards()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Name 'gemma*','phi3*' | Measure-OllamaModel -Count 1 -Warmup 0 -MaxTokens 3");
        r.AssertNoErrors();
        Assert.Equal(new object?[] { "phi3:mini", "gemma3:1b" }, r.Property("Name"));

        PsResult w = _sim.Ps.Invoke("Measure-OllamaModel 'gemma*' -Count 1 -Warmup 0 -MaxTokens 3");
        w.AssertNoErrors();
        Assert.Equal(new object?[] { "gemma3:1b" }, w.Property("Name"));
    }

    // fault | what the failed run's Error says
    [Theory]
    [InlineData("status", "out of memory")]
    [InlineData("errorline", "runner process has terminated")]
    [InlineData("cut", "connection")]
    public void A_failed_run_counts_in_the_error_rate_and_the_others_go_on(string fault, string expected)
    {
        switch (fault)
        {
            case "status": _sim.State.Faults.FailNext("/api/generate", 500, "model requires more system memory (out of memory)"); break;
            case "errorline": _sim.State.Faults.ErrorLineAfter("/api/generate", 2, "llama runner process has terminated: exit status 2"); break;
            case "cut": _sim.State.Faults.CutStreamAfter("/api/generate", 2); break;
        }

        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel gemma3:1b -Count 4 -Warmup 0 -MaxTokens 6");
        r.AssertNoErrors();
        PSObject m = Assert.Single(r.Output);
        Assert.Equal(4, P<int>(m, "RunCount"));
        Assert.Equal(3, P<int>(m, "SuccessCount"));
        Assert.Equal(1, P<int>(m, "Errors"));
        Assert.Equal(0.25, P<double>(m, "ErrorRate"));
        Assert.True(P<bool>(m, "IsComplete"));
        PSObject[] runs = Runs(m);
        Assert.False(P<bool>(runs[0], "Succeeded"));
        Assert.Contains(expected, (string)runs[0].Properties["Error"].Value);
        Assert.Null(runs[0].Properties["GenerateTokensPerSecond"].Value);
        Assert.All(runs.Skip(1), x => Assert.True(P<bool>(x, "Succeeded")));
        // The summary covers the three good runs only.
        Assert.Equal(runs.Skip(1).Min(x => P<double>(x, "GenerateTokensPerSecond")), P<double>(m, "GenerateTpsMin"), 6);
    }

    [Fact]
    public void A_failed_warm_up_is_a_warning_and_not_counted()
    {
        _sim.State.Faults.FailNext("/api/generate", 503, "server busy");
        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel gemma3:1b -Count 2 -MaxTokens 4");
        r.AssertNoErrors();
        Assert.Equal(0, P<int>(r.Output[0], "Errors"));
        Assert.Equal(2, P<int>(r.Output[0], "RunCount"));
        Assert.Contains(r.Warnings, w => w.Contains("Warm-up run 1 of gemma3:1b failed") && w.Contains("server busy"));
    }

    [Fact]
    public void When_every_run_fails_the_result_says_so_with_no_speeds()
    {
        _sim.State.Faults.FailNext("/api/generate", 500, "CUDA error: device lost", times: 10);
        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel gemma3:1b -Count 3 -MaxTokens 4");
        // The result is written, and one error carries the server's reason so that a scheduled task notices.
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith("OllamaServerError,", e.FullyQualifiedErrorId);
        Assert.Contains("CUDA error: device lost", e.Exception.Message);
        PSObject m = Assert.Single(r.Output);
        Assert.Equal(1.0, P<double>(m, "ErrorRate"));
        Assert.Equal(3, P<int>(m, "Errors"));
        Assert.Null(m.Properties["GenerateTpsMedian"].Value);
        Assert.Null(m.Properties["TtftMsMedian"].Value);
        Assert.Contains("no successful run", m.BaseObject.ToString());
        Assert.All(Runs(m), x => Assert.Contains("CUDA error: device lost", (string)x.Properties["Error"].Value));
    }

    [Fact]
    public void Results_are_kept_in_the_session_for_Select_OllamaModel()
    {
        PsResult m = _sim.Ps.Invoke("Measure-OllamaModel phi3:mini -Count 2 -MaxTokens 6");
        m.AssertNoErrors();
        double median = P<double>(m.Output[0], "GenerateTpsMedian");

        PsResult s = _sim.Ps.Invoke("Select-OllamaModel -Task Fast -All -MemoryLimit 64GB");
        s.AssertNoErrors();
        PSObject phi3 = s.Output.Single(o => (string)o.Properties["Name"].Value == "phi3:mini");
        Assert.True(P<bool>(phi3, "SpeedMeasured"));
        Assert.Equal(median, P<double>(phi3, "TokensPerSecond"), 6);
        Assert.All(s.Output.Where(o => o != phi3), o => Assert.False(P<bool>(o, "SpeedMeasured")));

        // Another session has measured nothing itself: it uses the benchmark history, and says so.
        using PsSession other = PsSession.Start(_sim.Uri);
        PsResult elsewhere = other.Invoke("Select-OllamaModel -Task Fast -All -MemoryLimit 64GB");
        PSObject saved = elsewhere.Output.Single(o => (string)o.Properties["Name"].Value == "phi3:mini");
        Assert.Contains("benchmark history; not measured in this session", (string)saved.Properties["Reason"].Value);
        Assert.All(elsewhere.Output.Where(o => o != saved), o => Assert.False(P<bool>(o, "SpeedMeasured")));
    }

    [Fact]
    public void Get_OllamaModelStatus_shows_the_measured_speed_of_the_active_model()
    {
        PsResult r = _sim.Ps.Invoke("$m = Measure-OllamaModel gemma3:1b -Count 2 -MaxTokens 4; Switch-OllamaModel gemma3:1b | Out-Null; $m; Get-OllamaModelStatus");
        r.AssertNoErrors();
        PSObject status = r.Output[1];
        Assert.Equal("gemma3:1b", status.Properties["ActiveModel"].Value);
        PSObject performance = PSObject.AsPSObject(status.Properties["Performance"].Value);
        Assert.Equal(P<double>(r.Output[0], "GenerateTpsMedian"), P<double>(performance, "GenerateTokensPerSecond"));
        Assert.Equal(P<double>(r.Output[0], "TtftMsMedian"), P<double>(performance, "TimeToFirstTokenMs"));
        Assert.Equal(2, P<int>(performance, "Runs"));
    }

    [Fact]
    public void Summary_properties_are_flat_for_Export_Csv_and_only_the_runs_nest()
    {
        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel gemma3:1b -Count 1 -Warmup 0 -MaxTokens 3");
        r.AssertNoErrors();
        var scalar = new[] { typeof(string), typeof(int), typeof(long), typeof(double), typeof(bool), typeof(DateTimeOffset), typeof(TimeSpan) };
        foreach (PSPropertyInfo p in r.Output[0].Properties.Where(p => p.Name is not ("Runs" or "WarmupRuns")))
        {
            Assert.True(p.Value is null || scalar.Contains(p.Value.GetType()), $"{p.Name} is a {p.Value?.GetType()}");
        }

        foreach (PSPropertyInfo p in Runs(r.Output[0])[0].Properties)
        {
            Assert.True(p.Value is null || scalar.Contains(p.Value.GetType()), $"{p.Name} is a {p.Value?.GetType()}");
        }
    }

    [Theory]
    [InlineData("-Task Vision", "Vision")]
    [InlineData("-Count 0", "Count")]
    [InlineData("-Prompt 'x' -Task Coding", "Parameter set")]
    public void Bad_invocations_are_parameter_errors(string args, string mentions)
    {
        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel gemma3:1b " + args);
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.IsAssignableFrom<ParameterBindingException>(e.Exception);
        Assert.Contains(mentions, e.Exception.Message, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(_sim.State.Log.Entries, x => x.Path == "/api/generate");
    }

    [Fact]
    public void Default_table_shows_the_headline_numbers()
    {
        PsResult r = _sim.Ps.Invoke("$m = Measure-OllamaModel gemma3:1b -Count 2 -MaxTokens 4; $m | Out-Default; $m.Runs | Out-Default");
        r.AssertNoErrors();
        string text = _sim.Ps.Host.Text;
        Assert.Contains("gemma3:1b", text);
        Assert.Contains("Gen tok/s", text);
        Assert.Contains("TTFT ms", text);
        Assert.Contains("2/2", text);
        Assert.Contains("Total ms", text);
        Assert.DoesNotContain("ElixiModels.Models.BenchmarkResult", text);
        Assert.DoesNotContain("ElixiModels.Models.BenchmarkRun", text);
    }

    internal static T P<T>(PSObject o, string name) => (T)o.Properties[name].Value;

    internal static PSObject[] Runs(PSObject result, string property = "Runs") =>
        ((Array)result.Properties[property].Value).Cast<object>().Select(PSObject.AsPSObject).ToArray();

    private List<JsonElement> Generates(string model) => _sim.State.Log.Entries
        .Where(e => e.Path == "/api/generate" && e.Model == model)
        .Select(e => JsonDocument.Parse(e.Body).RootElement)
        .ToList();
}
