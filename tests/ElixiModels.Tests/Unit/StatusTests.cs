using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Reporting;
using ElixiModels.Resources;
using ElixiModels.Session;
using ElixiModels.Status;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class StatusBuilderTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    // switched-to model | loaded "name@minutes-until-expiry" | reachable | expected active | source | status
    [Theory]
    [InlineData(null, "", true, null, null, ModelStatus.NotLoaded)]
    [InlineData(null, "llama3.2:3b@5", true, "llama3.2:3b", StatusBuilder.FromRecentUse, ModelStatus.Loaded)]
    [InlineData(null, "llama3.2:3b@2,phi3:mini@5,gemma3:1b@4", true, "phi3:mini", StatusBuilder.FromRecentUse, ModelStatus.Loaded)]
    [InlineData("phi3", "llama3.2:3b@2,phi3:mini@1", true, "phi3:latest", StatusBuilder.FromSwitch, ModelStatus.NotLoaded)]
    [InlineData("phi3:mini", "llama3.2:3b@9,phi3:mini@1", true, "phi3:mini", StatusBuilder.FromSwitch, ModelStatus.Active)]
    [InlineData("qwen2.5-coder:7b", "llama3.2:3b@9", true, "qwen2.5-coder:7b", StatusBuilder.FromSwitch, ModelStatus.NotLoaded)]
    [InlineData("qwen2.5-coder:7b", "qwen2.5-coder:7b@3", false, "qwen2.5-coder:7b", StatusBuilder.FromSwitch, ModelStatus.ServerUnreachable)]
    [InlineData(null, "", false, null, null, ModelStatus.ServerUnreachable)]
    public void Active_model_and_status_follow_the_rules(string? switched, string loaded, bool reachable, string? active, string? source, ModelStatus status)
    {
        OllamaStatus s = StatusBuilder.Build(new StatusFacts
        {
            Host = "http://127.0.0.1:11434",
            Version = "0.23.0",
            ServerError = reachable ? null : "Cannot reach Ollama",
            Loaded = Loaded(loaded),
            SwitchedModel = switched,
        });
        Assert.Equal(active, s.ActiveModel);
        Assert.Equal(source, s.ActiveModelSource);
        Assert.Equal(status, s.Status);
        Assert.Equal(reachable, s.IsReachable);
        Assert.Equal(reachable ? "0.23.0" : null, s.ServerVersion);
        Assert.Equal(status is ModelStatus.Active or ModelStatus.Loaded, s.ActiveRunner is not null);
        if (!reachable)
        {
            Assert.Empty(s.LoadedModels);
        }
    }

    [Fact]
    public void Performance_capabilities_memory_resources_and_cache_are_carried()
    {
        var bench = new BenchmarkSnapshot { Model = "phi3:mini", Host = "h", GenerateTokensPerSecond = 88.5, TimeToFirstTokenMs = 120, Runs = 5 };
        var resources = new HostResources { TotalMemoryBytes = 16_000_000_000, AvailableMemoryBytes = 9_000_000_000 };
        var cache = new CacheStatistics(3, 10, 2, TimeSpan.FromHours(24));
        OllamaStatus s = StatusBuilder.Build(new StatusFacts
        {
            Host = "h",
            Version = "0.23.0",
            Loaded = Loaded("phi3:mini@5,llama3.2:3b@2"),
            SwitchedModel = "phi3:mini",
            Benchmark = m => m == "phi3:mini" ? bench : null,
            Capabilities = new[] { "completion" },
            Resources = resources,
            Cache = cache,
            IsLocalServer = true,
        });
        Assert.Same(bench, s.Performance);
        Assert.Equal(new[] { "completion" }, s.Capabilities);
        Assert.Equal(2, s.LoadedModels.Count);
        Assert.Equal(3_000_000_000, s.LoadedMemoryBytes);
        Assert.Same(resources, s.HostResources);
        Assert.Same(cache, s.Cache);
        Assert.True(s.IsLocalServer);
        Assert.Equal("phi3:mini", s.ActiveRunner!.Name);
    }

    [Fact]
    public void Without_an_active_model_there_is_no_performance_or_capability()
    {
        OllamaStatus s = StatusBuilder.Build(new StatusFacts
        {
            Host = "h",
            Version = "0.23.0",
            Benchmark = _ => new BenchmarkSnapshot(),
            Capabilities = new[] { "completion" },
        });
        Assert.Null(s.ActiveModel);
        Assert.Null(s.Performance);
        Assert.Empty(s.Capabilities);
    }

    [Theory]
    [InlineData("http://127.0.0.1:11434/", true)]
    [InlineData("http://localhost:11434/", true)]
    [InlineData("http://[::1]:11434/", true)]
    [InlineData("http://gpu-box.lan:11434/", false)]
    [InlineData("http://10.1.2.3:11434/", false)]
    [InlineData("http://0.0.0.0:11434/", true)]
    [InlineData("http://[::]:11434/", true)]
    public void Local_servers_are_recognised(string uri, bool local) => Assert.Equal(local, OllamaEndpoint.IsLocal(new Uri(uri)));

    private static List<OllamaRunningModel> Loaded(string spec) => spec
        .Split(',', StringSplitOptions.RemoveEmptyEntries)
        .Select(s => s.Split('@'))
        .Select(p => new OllamaRunningModel
        {
            Name = p[0],
            SizeBytes = 1_500_000_000,
            VramBytes = 1_500_000_000,
            ExpiresAt = Now.AddMinutes(int.Parse(p[1], CultureInfo.InvariantCulture)),
            Digest = "d-" + p[0],
        })
        .ToList();
}

/// <summary>The status reader against the simulator (no PowerShell): the active-model and benchmark branches.</summary>
public sealed class StatusReaderTests : IAsyncLifetime, IDisposable
{
    private SimulatorServer _sim = null!;
    private readonly SessionContext _session = new();

    public async Task InitializeAsync() => _sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    public void Dispose() => _session.Dispose();

    private OllamaClient Client => new(_sim.BaseUri);

    private StatusReader Reader => new(_session, new FixedProbe());

    [Fact]
    public async Task Switched_and_loaded_model_is_active_with_its_capabilities_and_benchmark()
    {
        await SimulatedOllama.LoadAsync(_sim.BaseUri, "qwen2.5-coder:7b");
        await SimulatedOllama.LoadAsync(_sim.BaseUri, "llama3.2:3b");
        _session.SetActiveModel(Client.Host, "qwen2.5-coder:7b");
        _session.RecordBenchmark(new BenchmarkSnapshot { Model = "qwen2.5-coder:7b", Host = Client.Host, GenerateTokensPerSecond = 60, Runs = 3 });

        var reporter = new RecordingReporter();
        OllamaStatus s = await Reader.ReadAsync(Client, reporter, CancellationToken.None);
        Assert.Empty(reporter.Warnings);
        Assert.Equal("qwen2.5-coder:7b", s.ActiveModel);
        Assert.Equal(ModelStatus.Active, s.Status);
        Assert.Equal(StatusBuilder.FromSwitch, s.ActiveModelSource);
        Assert.Equal(new[] { "completion", "tools", "insert" }, s.Capabilities);
        Assert.Equal(60, s.Performance!.GenerateTokensPerSecond);
        Assert.Equal(2, s.LoadedModels.Count);
        Assert.Equal(_sim.State.Version, s.ServerVersion);
        Assert.Equal(1000, s.HostResources!.TotalMemoryBytes);
        Assert.True(s.IsLocalServer);
        Assert.Equal(1, s.Cache!.Kinds["details"]);
    }

    [Fact]
    public async Task Switched_model_that_is_not_loaded_is_NotLoaded_and_its_capabilities_come_via_its_digest()
    {
        _session.SetActiveModel(Client.Host, "llava:7b");
        OllamaStatus s = await Reader.ReadAsync(Client, NullOperationReporter.Instance, CancellationToken.None);
        Assert.Equal(ModelStatus.NotLoaded, s.Status);
        Assert.Equal(new[] { "completion", "vision" }, s.Capabilities);
        Assert.Null(s.Performance);
        Assert.Equal(1, _sim.State.Log.Count("POST", "/api/show"));

        await Reader.ReadAsync(Client, NullOperationReporter.Instance, CancellationToken.None);
        Assert.Equal(1, _sim.State.Log.Count("POST", "/api/show")); // cached by digest
    }

    [Fact]
    public async Task Switched_model_that_was_removed_gives_a_warning()
    {
        _session.SetActiveModel(Client.Host, "phi3:mini");
        _sim.State.RemoveInstalled("phi3:mini");
        var reporter = new RecordingReporter();
        OllamaStatus s = await Reader.ReadAsync(Client, reporter, CancellationToken.None);
        Assert.Equal(ModelStatus.NotLoaded, s.Status);
        Assert.Empty(s.Capabilities);
        Assert.Contains(reporter.Warnings, w => w.Contains("phi3:mini") && w.Contains("no longer installed"));
    }

    [Fact]
    public async Task Unreachable_server_gives_a_status_with_resources_and_a_warning()
    {
        var client = new OllamaClient(SimulatedOllama.DeadUri(), new OllamaClientOptions { RetryCount = 0 });
        var reporter = new RecordingReporter();
        OllamaStatus s = await Reader.ReadAsync(client, reporter, CancellationToken.None);
        Assert.Equal(ModelStatus.ServerUnreachable, s.Status);
        Assert.NotNull(s.ServerError);
        Assert.Equal(1000, s.HostResources!.TotalMemoryBytes);
        Assert.Contains(reporter.Warnings, w => w.Contains("not reachable"));
    }

    [Fact]
    public async Task A_failing_probe_is_a_warning_not_a_failure()
    {
        var reporter = new RecordingReporter();
        OllamaStatus s = await new StatusReader(_session, new FailingProbe()).ReadAsync(Client, reporter, CancellationToken.None);
        Assert.Null(s.HostResources);
        Assert.Equal(ModelStatus.NotLoaded, s.Status);
        Assert.Contains(reporter.Warnings, w => w.Contains("resources") && w.Contains("no /proc"));
    }


    private sealed class FixedProbe : IHostResourceProbe
    {
        public Task<HostResources> ReadAsync(CancellationToken cancellationToken) =>
            Task.FromResult(new HostResources { TotalMemoryBytes = 1000, AvailableMemoryBytes = 400 });
    }

    private sealed class FailingProbe : IHostResourceProbe
    {
        public Task<HostResources> ReadAsync(CancellationToken cancellationToken) => throw new System.IO.IOException("no /proc");
    }
}
