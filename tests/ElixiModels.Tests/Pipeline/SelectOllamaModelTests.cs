using System;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading.Tasks;
using ElixiModels.Catalog;
using ElixiModels.Selection;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;
using static ElixiModels.Tests.Pipeline.MeasureOllamaModelTests;

namespace ElixiModels.Tests.Pipeline;

public sealed class SelectOllamaModelTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    // Ollama 0.30+ lists capabilities and context length in /api/tags: no /api/show; 0.23 needs one per model.
    [Theory]
    [InlineData(SimulatorState.CurrentVersion, 0)]
    [InlineData(SimulatorState.LegacyVersion, 7)]
    public void Reads_capabilities_from_the_listing_where_the_server_gives_them(string version, int shows)
    {
        _sim.State.Version = version;
        foreach (string task in new[] { "coding", "vision", "embedding", "analysis" })
        {
            PsResult r = _sim.Ps.Invoke("Select-OllamaModel -Task $args[0] -MemoryLimit 64GB", task);
            r.AssertNoErrors();
            Assert.Single(r.Output);
        }

        Assert.Equal("llava:7b", _sim.Ps.Invoke("Select-OllamaModel -Task Vision -MemoryLimit 64GB").Property("Name").Single());
        Assert.Equal(shows, _sim.State.Log.Count("POST", "/api/show"));
    }

    [Fact]
    public void The_show_path_of_an_old_server_shows_its_progress()
    {
        _sim.State.Version = SimulatorState.LegacyVersion;
        // Progress is shown for a gather of more than 20 models; a handful would only flash a bar.
        for (int i = 0; i < 25; i++)
        {
            _sim.State.AddInstalled(new SimModel { Name = $"extra-{i:D2}:1b", Family = "llama", ParameterCount = 1_000_000_000, SizeBytes = 700_000_000, Capabilities = new[] { "completion" } });
        }

        PsResult r = _sim.Ps.Invoke("Select-OllamaModel -Task coding -MemoryLimit 64GB");
        r.AssertNoErrors();
        Assert.Contains(r.Progress, p => p.Activity.StartsWith("Reading model details", StringComparison.Ordinal));
        Assert.Equal(ProgressRecordType.Completed, r.Progress.Last(p => p.Activity.StartsWith("Reading model details", StringComparison.Ordinal)).RecordType);

        _sim.State.Version = SimulatorState.CurrentVersion;
        PsResult modern = _sim.Ps.Invoke("Select-OllamaModel -Task coding -MemoryLimit 64GB");
        Assert.DoesNotContain(modern.Progress, p => p.Activity.StartsWith("Reading model details", StringComparison.Ordinal));
    }

    // task | expected winner on the simulator's fleet | phrase of its Reason
    [Theory]
    [InlineData("coding", "qwen2.5-coder:7b", "supports fill-in-the-middle")]
    [InlineData("Vision", "llava:7b", "'vision' capability")]
    [InlineData("embedding", "nomic-embed-text:latest", "'embedding' capability")]
    [InlineData("analysis", "deepseek-r1:8b", "'thinking' capability")]
    [InlineData("fast", "gemma3:1b", "is small (999.9M)")]
    [InlineData("tools", "llama3.2:3b", "'tools' capability")]
    public void Chooses_the_model_made_for_the_task(string task, string winner, string because)
    {
        PsResult r = _sim.Ps.Invoke("Select-OllamaModel -Task $args[0] -MemoryLimit 64GB", task);
        r.AssertNoErrors();
        PSObject chosen = Assert.Single(r.Output);
        Assert.Equal("ElixiModels.Models.ModelSelection", chosen.BaseObject.GetType().FullName);
        Assert.Equal(winner, chosen.Properties["Name"].Value);
        Assert.Equal(task.ToLowerInvariant(), chosen.Properties["Task"].Value);
        Assert.Equal(1, P<int>(chosen, "Rank"));
        Assert.InRange(P<double>(chosen, "Score"), 1, 100);
        Assert.Contains(because, (string)chosen.Properties["Reason"].Value);
        Assert.Contains("speed estimated from its size", (string)chosen.Properties["Reason"].Value);
        Assert.False(P<bool>(chosen, "IsFallback"));
        Assert.Equal(_sim.Uri.ToString().TrimEnd('/'), chosen.Properties["Host"].Value);
        SimModel sim = _sim.State.Installed.Single(m => m.Name == winner);
        Assert.Equal(sim.SizeBytes, P<long>(chosen, "SizeBytes"));
        Assert.Equal(sim.ContextLength, P<int>(chosen, "ContextLength"));
        Assert.Equal(sim.Capabilities, ((System.Collections.IEnumerable)chosen.Properties["Capabilities"].Value).Cast<string>());
    }

    [Fact]
    public void No_coder_installed_falls_back_to_a_strong_general_model_and_says_so()
    {
        _sim.State.RemoveInstalled("qwen2.5-coder:7b");
        PsResult r = _sim.Ps.Invoke("Select-OllamaModel coding -MemoryLimit 64GB");
        r.AssertNoErrors();
        PSObject chosen = Assert.Single(r.Output);
        Assert.True(P<bool>(chosen, "IsFallback"));
        string reason = (string)chosen.Properties["Reason"].Value;
        Assert.Contains("No installed model is made for coding, so this falls back", reason);
        // The catalog has coders: the Reason says which to install.
        Match install = Regex.Match(reason, @"Install-OllamaModel -Name (\S+)\.$");
        Assert.True(install.Success, reason);
        CatalogEntry suggested = ModelCatalog.Default.Find(install.Groups[1].Value)!;
        Assert.Contains(ModelTask.Coding, TaskClassifier.Classify(new ModelTraits { Name = suggested.Name, Capabilities = suggested.Capabilities }).Select(m => m.Task));
        Assert.NotEqual("gemma3:1b", chosen.Properties["Name"].Value);
    }

    [Fact]
    public void No_candidate_is_a_clear_error_that_says_what_each_filter_removed()
    {
        _sim.State.RemoveInstalled("llava:7b");
        PsResult r = _sim.Ps.Invoke("Select-OllamaModel vision -MemoryLimit 64GB");
        Assert.Empty(r.Output);
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("NoSuitableModel", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Contains("'vision'", e.Exception.Message);
        Assert.Contains("no 'vision' capability", e.Exception.Message);
        Assert.Contains("llama3.2:3b (completion, tools)", e.Exception.Message);
        Assert.Contains("nomic-embed-text:latest (embedding)", e.Exception.Message);
        Assert.Contains("Install", e.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void No_piped_candidate_fits_is_the_same_clear_error()
    {
        PsResult r = _sim.Ps.Invoke("'gemma3:1b', 'phi3:mini' | Select-OllamaModel vision -MemoryLimit 64GB");
        Assert.Empty(r.Output);
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("NoSuitableModel", e.FullyQualifiedErrorId);
        Assert.Contains("no 'vision' capability): gemma3:1b (completion), phi3:mini (completion)", e.Exception.Message);
        Assert.Contains("Install", e.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void No_candidate_suggests_catalog_models_that_pipe_into_Install_OllamaModel()
    {
        foreach (SimModel m in _sim.State.Installed.ToList())
        {
            _sim.State.RemoveInstalled(m.Name);
        }

        PsResult r = _sim.Ps.Invoke("Select-OllamaModel coding -MemoryLimit 64GB");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("NoSuitableModel", e.FullyQualifiedErrorId);
        Assert.Contains("No model is installed on " + _sim.Uri.ToString().TrimEnd('/'), e.Exception.Message);
        object[] suggestions = ((Array)e.TargetObject).Cast<object>().ToArray();
        Assert.NotEmpty(suggestions);
        foreach (object s in suggestions)
        {
            string name = (string)PSObject.AsPSObject(s).Properties["Name"].Value;
            Assert.Contains(name, e.ErrorDetails.RecommendedAction);
            var traits = new ModelTraits
            {
                Name = name,
                Capabilities = ((string[])PSObject.AsPSObject(s).Properties["Capabilities"].Value),
            };
            Assert.Contains(ModelTask.Coding, TaskClassifier.Classify(traits).Select(m => m.Task));
        }

        Assert.Contains("Install-OllamaModel", e.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void An_explicit_MemoryLimit_removes_every_model_that_does_not_fit_loaded_or_not()
    {
        _sim.State.MarkLoaded("llava:7b");
        PsResult r = _sim.Ps.Invoke("Select-OllamaModel analysis -All -MemoryLimit 3GB -Verbose");
        r.AssertNoErrors();
        Assert.Equal(new[] { "gemma3:1b", "llama3.2:3b", "phi3:mini" }, r.Property("Name").Cast<string>().OrderBy(x => x));
        Assert.Contains(r.Verbose, v => v.Contains("Removed deepseek-r1:8b") && v.Contains("do not fit in the free memory"));
        Assert.Contains(r.Verbose, v => v.Contains("Removed llava:7b") && v.Contains("do not fit"));
    }

    [Fact]
    public void The_free_memory_of_this_machine_is_the_default_limit()
    {
        // 23+ GB machines fit the whole fleet; this asserts the filter ran against the probe, not that it removed anything.
        PsResult r = _sim.Ps.Invoke("Select-OllamaModel analysis -All -Verbose");
        r.AssertNoErrors();
        Assert.DoesNotContain(r.Verbose, v => v.Contains("not filtered by memory"));
        Assert.NotEmpty(r.Output);
    }

    [Fact]
    public void Cloud_models_are_excluded_unless_asked_for()
    {
        _sim.State.AddInstalled(new SimModel
        {
            Name = "gpt-oss:120b-cloud",
            ParameterCount = 116_800_000_000,
            SizeBytes = 384,
            Family = "gptoss",
            Capabilities = new[] { "completion", "tools", "thinking" },
            ContextLength = 131_072,
            RemoteHost = "https://ollama.com:443",
        });
        PsResult without = _sim.Ps.Invoke("Select-OllamaModel general -All -MemoryLimit 64GB -Verbose");
        Assert.DoesNotContain("gpt-oss:120b-cloud", without.Property("Name"));
        Assert.Contains(without.Verbose, v => v.Contains("Removed gpt-oss:120b-cloud") && v.Contains("-IncludeCloud"));

        PsResult with = _sim.Ps.Invoke("Select-OllamaModel general -All -MemoryLimit 64GB -IncludeCloud");
        PSObject cloud = with.Output.Single(o => (string)o.Properties["Name"].Value == "gpt-oss:120b-cloud");
        Assert.True(P<bool>(cloud, "IsCloud"));
    }

    [Fact]
    public void Piped_names_and_models_are_the_only_candidates()
    {
        PsResult names = _sim.Ps.Invoke("'phi3:mini', 'gemma3' | Select-OllamaModel general -All -MemoryLimit 64GB");
        names.AssertNoErrors();
        Assert.Equal(new[] { "gemma3:1b", "phi3:mini" }, names.Property("Name").Cast<string>().OrderBy(x => x));

        PsResult models = _sim.Ps.Invoke("Get-OllamaModel -Name 'll*' | Select-OllamaModel vision -All -MemoryLimit 64GB");
        models.AssertNoErrors();
        Assert.Equal(new object?[] { "llava:7b" }, models.Property("Name"));

        PsResult missing = _sim.Ps.Invoke("'phi3:mini', 'nope:1b' | Select-OllamaModel general -MemoryLimit 64GB");
        Assert.Equal(new object?[] { "phi3:mini" }, missing.Property("Name"));
        Assert.StartsWith("ModelNotFound", Assert.Single(missing.Errors).FullyQualifiedErrorId);
    }

    [Fact]
    public void Piped_benchmark_results_bring_their_measured_speed()
    {
        _sim.State.Installed.Single(m => m.Name == "gemma3:1b").GenerateTokensPerSecond = 40;
        _sim.State.Installed.Single(m => m.Name == "phi3:mini").GenerateTokensPerSecond = 250;
        PsResult r = _sim.Ps.Invoke("Measure-OllamaModel gemma3:1b, phi3:mini -Count 2 -MaxTokens 12 -OutVariable measured | Select-OllamaModel fast -All -MemoryLimit 64GB; $measured");
        r.AssertNoErrors();
        Assert.Equal(new object?[] { "phi3:mini", "gemma3:1b", "gemma3:1b", "phi3:mini" }, r.Property("Name"));
        PSObject phi3 = r.Output[0], gemma = r.Output[1];
        Assert.All(new[] { phi3, gemma }, o => Assert.True(P<bool>(o, "SpeedMeasured")));
        Assert.Equal(P<double>(r.Output[3], "GenerateTpsMedian"), P<double>(phi3, "TokensPerSecond"));
        Assert.Equal(P<double>(r.Output[2], "GenerateTpsMedian"), P<double>(gemma, "TokensPerSecond"));
        Assert.Contains("measured", (string)phi3.Properties["Reason"].Value);
        Assert.True(P<double>(phi3, "SpeedPoints") > P<double>(gemma, "SpeedPoints"));
    }

    [Fact]
    public void An_already_loaded_model_gets_the_bonus_and_says_so()
    {
        _sim.State.MarkLoaded("phi3:mini");
        PsResult r = _sim.Ps.Invoke("Select-OllamaModel general -MemoryLimit 64GB");
        r.AssertNoErrors();
        PSObject chosen = Assert.Single(r.Output);
        Assert.Equal("phi3:mini", chosen.Properties["Name"].Value);
        Assert.True(P<bool>(chosen, "IsLoaded"));
        Assert.Contains("already loaded", (string)chosen.Properties["Reason"].Value);
    }

    [Fact]
    public void Benchmark_measures_the_top_candidates_first()
    {
        _sim.State.Installed.Single(m => m.Name == "gemma3:1b").GenerateTokensPerSecond = 150;
        _sim.State.Installed.Single(m => m.Name == "phi3:mini").GenerateTokensPerSecond = 800;
        PsResult r = _sim.Ps.Invoke("'gemma3:1b', 'phi3:mini' | Select-OllamaModel fast -Benchmark -MemoryLimit 64GB");
        r.AssertNoErrors();
        PSObject chosen = Assert.Single(r.Output);
        Assert.Equal("phi3:mini", chosen.Properties["Name"].Value);
        Assert.True(P<bool>(chosen, "SpeedMeasured"));
        Assert.Equal(4, _sim.State.Log.Entries.Count(e => e.Path == "/api/generate" && e.Model == "gemma3:1b"));
        Assert.Equal(4, _sim.State.Log.Entries.Count(e => e.Path == "/api/generate" && e.Model == "phi3:mini"));
        Assert.Contains(r.Progress, p => p.Activity.Contains("Measuring phi3:mini"));

        // Measured once per session: a second -Benchmark reuses the numbers.
        _sim.State.Log.Clear();
        PsResult again = _sim.Ps.Invoke("'gemma3:1b', 'phi3:mini' | Select-OllamaModel fast -Benchmark -MemoryLimit 64GB");
        Assert.Equal("phi3:mini", again.Output[0].Properties["Name"].Value);
        Assert.DoesNotContain(_sim.State.Log.Entries, e => e.Path == "/api/generate");
    }

    [Fact]
    public void The_pipeline_from_Get_OllamaModel_through_Measure_to_Select_uses_the_measurements()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel | Measure-OllamaModel -Count 3 -MaxTokens 6 | Select-OllamaModel -Task fast");
        r.AssertNoErrors();
        PSObject chosen = Assert.Single(r.Output);
        Assert.Equal("gemma3:1b", chosen.Properties["Name"].Value);
        Assert.True(P<bool>(chosen, "SpeedMeasured"));
        Assert.Contains("measured", (string)chosen.Properties["Reason"].Value);
        // The embedding model cannot be timed: a warning, not an error.
        Assert.Contains(r.Warnings, w => w.Contains("nomic-embed-text:latest"));
    }

    [Fact]
    public void Unreachable_server_is_one_clear_error()
    {
        Uri dead = SimulatedOllama.DeadUri();
        PsResult r = _sim.Ps.Invoke("Select-OllamaModel general -Uri $args[0]", dead.ToString());
        Assert.Empty(r.Output);
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("OllamaUnreachable", e.FullyQualifiedErrorId);
    }

    [Fact]
    public void Default_table_shows_rank_and_score_and_leaves_the_reason_to_the_list_view()
    {
        PsResult r = _sim.Ps.Invoke("Select-OllamaModel coding -Top 2 -MemoryLimit 64GB | Out-Default");
        r.AssertNoErrors();
        string text = _sim.Ps.Host.Text;
        Assert.Contains("Rank", text);
        Assert.Contains("Score", text);
        Assert.DoesNotContain("Reason", text); // long text: the list view (Format-List) shows it
        Assert.Contains("qwen2.5-coder:7b", text);
        Assert.DoesNotContain("ElixiModels.Models.ModelSelection", text);
    }
}
