using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Reliability;

/// <summary>
/// The fault matrix: each row breaks the simulator one way, runs a command, and expects one clear ErrorRecord —
/// stable id, the right category, the server's text where it sent one, a recommended action — never a raw .NET
/// exception, a stack trace or a hang.
/// </summary>
public sealed class FaultMatrixTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    public sealed record Fault(string Name, Action<FaultSettings> Arrange, string Script, string ErrorId, ErrorCategory Category, string? Text);

    private static readonly Dictionary<string, Fault> Faults = new Fault[]
    {
        new("http-500", f => f.FailNext("/api/tags", 500, "unable to read manifest: disk I/O error", 10), "Get-OllamaModel",
            "OllamaServerError", ErrorCategory.InvalidResult, "unable to read manifest: disk I/O error"),
        new("http-503-queue-full", f => f.FailNext("/api/tags", 503, "server busy, please try again.  maximum pending requests exceeded", 10), "Get-OllamaModel",
            "OllamaBusy", ErrorCategory.ResourceBusy, "maximum pending requests exceeded"),
        new("malformed-json", f => f.MalformedJsonNext("/api/tags", 10), "Get-OllamaModel",
            "OllamaInvalidResponse", ErrorCategory.InvalidData, null),
        new("connection-aborted", f => f.RefuseConnections = true, "Get-OllamaModel",
            "OllamaConnectionLost", ErrorCategory.ConnectionError, null),
        new("slower-than-timeout", f => f.ResponseDelay = TimeSpan.FromSeconds(3), "Get-OllamaModel -TimeoutSec 1",
            "OllamaTimeout", ErrorCategory.OperationTimeout, null),
        new("loaded-http-500", f => f.FailNext("/api/ps", 500, "runner crashed", 10), "Get-OllamaModel -Loaded",
            "OllamaServerError", ErrorCategory.InvalidResult, "runner crashed"),
        new("loaded-malformed", f => f.MalformedJsonNext("/api/ps", 10), "Get-OllamaModel -Loaded",
            "OllamaInvalidResponse", ErrorCategory.InvalidData, null),
    }.ToDictionary(f => f.Name);

    public static IEnumerable<object[]> FaultNames() => Faults.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(FaultNames))]
    public void Each_fault_is_one_clear_error(string name)
    {
        Fault fault = Faults[name];
        fault.Arrange(_sim.State.Faults);
        var sw = Stopwatch.StartNew();
        PsResult r = _sim.Ps.Invoke(fault.Script);
        sw.Stop();
        AssertClearError(r, fault.ErrorId, fault.Category, fault.Text);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"{name} took {sw.Elapsed}");

        _sim.State.Faults.Reset();
        _sim.Ps.Invoke(fault.Script).AssertNoErrors();
    }

    [Fact]
    public void Connection_refused()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Uri $args[0]", SimulatedOllama.DeadUri().ToString());
        AssertClearError(r, "OllamaUnreachable", ErrorCategory.ConnectionError, null);
    }

    [Fact]
    public void Unknown_host()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Uri 'http://no-such-host.invalid:11434' -TimeoutSec 10");
        AssertClearError(r, "OllamaUnreachable", ErrorCategory.ConnectionError, null);
        Assert.Contains("no-such-host.invalid", r.Errors[0].Exception.Message);
    }

    [Fact]
    public void A_transient_failure_of_a_read_is_retried()
    {
        _sim.State.Faults.FailNext("/api/tags", 503, "server busy", 1);
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel");
        r.AssertNoErrors();
        Assert.Equal(_sim.State.Installed.Count, r.Output.Count);
        Assert.Equal(2, _sim.State.Log.Count("GET", "/api/tags"));
    }

    [Fact]
    public async Task The_server_restarting_between_calls()
    {
        await using SimulatorServer server = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        int port = server.Port;
        string uri = server.BaseUri.ToString();
        _sim.Ps.Invoke("Get-OllamaModel -Uri $args[0]", uri).AssertNoErrors();

        await server.StopAsync();
        AssertClearError(_sim.Ps.Invoke("Get-OllamaModel -Uri $args[0]", uri), "OllamaUnreachable", ErrorCategory.ConnectionError, null);

        await using SimulatorServer restarted = await SimulatorServer.StartAsync(SimulatorState.CreateDefault(), port);
        PsResult after = _sim.Ps.Invoke("Get-OllamaModel -Uri $args[0]", uri);
        after.AssertNoErrors();
        Assert.NotEmpty(after.Output);
    }

    internal static void AssertClearError(PsResult r, string id, ErrorCategory category, string? serverText)
    {
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith(id + ",", e.FullyQualifiedErrorId);
        Assert.Equal(category, e.CategoryInfo.Category);
        Assert.Equal("ElixiModels.Ollama.OllamaException", e.Exception.GetType().FullName);
        Assert.False(string.IsNullOrWhiteSpace(e.ErrorDetails?.RecommendedAction), "no recommended action");
        Assert.DoesNotContain("   at ", e.ToString());
        Assert.DoesNotContain("Exception:", e.ToString());
        if (serverText is not null)
        {
            Assert.Contains(serverText, e.Exception.Message);
        }
    }
}
