using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Tests.Pipeline;

public sealed class InstallOllamaModelTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    private string[] Pulled() => _sim.State.Log.Entries.Where(e => e.Method == "POST" && e.Path == "/api/pull").Select(e => e.Model!).ToArray();

    [Fact]
    public void Names_bind_by_value_and_a_name_without_tag_means_latest()
    {
        PsResult r = _sim.Ps.Invoke("'qwen2.5:0.5b', 'tinyllama' | Install-OllamaModel");
        r.AssertNoErrors();
        Assert.Equal(new object?[] { "qwen2.5:0.5b", "tinyllama:latest" }, r.Property("Name"));
        Assert.Equal(new[] { "qwen2.5:0.5b", "tinyllama:latest" }, Pulled());
    }

    [Fact]
    public void Force_updates_an_installed_model_to_the_registry_version()
    {
        string newDigest = new('c', 64);
        _sim.State.SetRemoteDigest("phi3:mini", newDigest);
        PsResult r = _sim.Ps.Invoke("Install-OllamaModel phi3:mini -Force -Verbose");
        r.AssertNoErrors();
        Assert.Equal(new[] { "phi3:mini" }, Pulled());
        Assert.Equal(newDigest, r.Property("Digest").Single());
        Assert.Equal(newDigest, _sim.State.FindInstalled("phi3:mini")!.Digest);
        Assert.Contains(r.Verbose, v => v.StartsWith("Updated phi3:mini", StringComparison.Ordinal) && v.Contains("cccccccccccc"));
    }

    [Fact]
    public void Progress_ends_with_a_Completed_record_and_ShowLayers_adds_a_bar_per_blob()
    {
        _sim.State.Faults.PullBytesPerSecond = 2_000_000_000;
        PsResult r = _sim.Ps.Invoke("Install-OllamaModel mistral:7b -ShowLayers");
        r.AssertNoErrors();
        var parent = r.Progress.Where(p => p.ParentActivityId < 0).ToList();
        Assert.True(parent.Count >= 3, $"{parent.Count} records");
        Assert.All(parent, p => Assert.Equal(parent[0].ActivityId, p.ActivityId));
        Assert.Equal("Installing mistral:7b", parent[0].Activity);
        Assert.Equal(ProgressRecordType.Completed, parent[^1].RecordType);
        Assert.All(parent.Take(parent.Count - 1), p => Assert.Equal(ProgressRecordType.Processing, p.RecordType));
        Assert.Contains(parent, p => p.CurrentOperation.StartsWith("Downloading layer 1 of", StringComparison.Ordinal));

        var children = r.Progress.Where(p => p.ParentActivityId == parent[0].ActivityId).ToList();
        Assert.NotEmpty(children);
        foreach (var bar in children.GroupBy(c => c.ActivityId))
        {
            Assert.StartsWith("Layer ", bar.First().Activity);
            Assert.Equal(ProgressRecordType.Completed, bar.Last().RecordType);
        }
    }

    [Fact]
    public void An_error_line_mid_stream_becomes_an_error_with_the_servers_text_and_the_next_model_still_installs()
    {
        _sim.State.Faults.ErrorLineAfter("/api/pull", 4, "write /root/.ollama/models/blobs/sha256-6577803aa9a0-partial-0: no space left on device");
        PsResult r = _sim.Ps.Invoke("'mistral:7b', 'qwen2.5:0.5b' | Install-OllamaModel");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.Equal("InsufficientDiskSpace,ElixiModels.Commands.InstallOllamaModelCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, e.CategoryInfo.Category);
        Assert.Equal("mistral:7b", e.TargetObject);
        Assert.Contains("no space left on device", e.Exception.Message);
        Assert.Contains("resumes", e.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain(" at ElixiModels.", e.ToString());
        Assert.Equal(new object?[] { "qwen2.5:0.5b" }, r.Property("Name"));
        Assert.Null(_sim.State.FindInstalled("mistral:7b"));
    }

    [Theory]
    [InlineData("pull model manifest: Get \"https://registry.ollama.ai/v2/library/mistral/manifests/7b\": dial tcp: lookup registry.ollama.ai: no such host",
        "RegistryUnreachable", ErrorCategory.ConnectionError, "internet")]
    [InlineData("max retries exceeded: read tcp 10.0.0.2:51234->104.21.75.227:443: i/o timeout",
        "RegistryUnreachable", ErrorCategory.ConnectionError, "internet")]
    [InlineData("digest mismatch, file must be downloaded again: want sha256:6577, got sha256:0b3f",
        "PullFailed", ErrorCategory.InvalidResult, "run the same command again")]
    public void Error_lines_mid_stream_keep_the_servers_text_and_say_what_to_do(string text, string id, ErrorCategory category, string advice)
    {
        _sim.State.Faults.ErrorLineAfter("/api/pull", 3, text);
        PsResult r = _sim.Ps.Invoke("Install-OllamaModel mistral:7b");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.Equal(id + ",ElixiModels.Commands.InstallOllamaModelCommand", e.FullyQualifiedErrorId);
        Assert.Equal(category, e.CategoryInfo.Category);
        Assert.Contains(text, e.Exception.Message);
        Assert.Contains(advice, e.ErrorDetails.RecommendedAction);
        Assert.Empty(r.Output);
        Assert.Equal(ProgressRecordType.Completed, r.Progress[^1].RecordType);
    }

    [Fact]
    public void An_unknown_model_is_an_error_with_suggestions()
    {
        PsResult r = _sim.Ps.Invoke("Install-OllamaModel lama3.2:3b");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("ModelNotInRegistry,", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Contains("file does not exist", e.Exception.Message);
        Assert.Contains("Did you mean: llama3.2:3b", e.ErrorDetails.Message);
        Assert.Contains("Get-OllamaModel -Available", e.ErrorDetails.RecommendedAction);
        Assert.Empty(r.Output);
    }

    [Fact]
    public void An_invalid_name_is_refused_before_any_request()
    {
        PsResult r = _sim.Ps.Invoke("Install-OllamaModel 'bad name!', 'qwen2.5:0.5b'");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("InvalidModelName,", e.FullyQualifiedErrorId);
        Assert.Equal(new[] { "qwen2.5:0.5b" }, Pulled());
    }

    [Fact]
    public void An_unreachable_server_is_one_clear_error()
    {
        PsResult r = _sim.Ps.Invoke("Install-OllamaModel mistral:7b -Uri $args[0]", SimulatedOllama.DeadUri().ToString());
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("OllamaUnreachable,", e.FullyQualifiedErrorId);
    }
}
