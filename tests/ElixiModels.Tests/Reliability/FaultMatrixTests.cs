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

    private const string OllamaEx = "ElixiModels.Ollama.OllamaException";
    private const string NotFoundEx = "System.Management.Automation.ItemNotFoundException";
    private const string Pull = "Install-OllamaModel gemma3:1b -Force -Confirm:$false";
    private const string Load = "Switch-OllamaModel gemma3:1b";
    private const string Delete = "Remove-OllamaModel llama3.2:3b -Confirm:$false";
    private const string Bench = "Measure-OllamaModel gemma3:1b -Count 1 -Warmup 0 -MaxTokens 8";
    private const string Busy = "server busy, please try again.  maximum pending requests exceeded";

    /// <summary>One row: how the server breaks, what runs, and the one ErrorRecord expected.</summary>
    public sealed record Fault(string Name, Action<FaultSettings> Arrange, string Script, string ErrorId, ErrorCategory Category, string? Text,
        string ExceptionType = OllamaEx, bool Recovers = true);

    private static readonly Dictionary<string, Fault> Faults = new Fault[]
    {
        // Get-OllamaModel (installed, -Loaded, -Detailed)
        new("http-500", f => f.FailNext("/api/tags", 500, "unable to read manifest: disk I/O error", 10), "Get-OllamaModel",
            "OllamaServerError", ErrorCategory.InvalidResult, "unable to read manifest: disk I/O error"),
        new("http-503-queue-full", f => f.FailNext("/api/tags", 503, Busy, 10), "Get-OllamaModel",
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
        new("loaded-slower-than-timeout", f => f.ResponseDelay = TimeSpan.FromSeconds(3), "Get-OllamaModel -Loaded -TimeoutSec 1",
            "OllamaTimeout", ErrorCategory.OperationTimeout, null),
        new("loaded-connection-aborted", f => f.RefuseConnections = true, "Get-OllamaModel -Loaded",
            "OllamaConnectionLost", ErrorCategory.ConnectionError, null),
        new("detailed-listing-500", f => f.FailNext("/api/tags", 500, "unable to read manifest", 10), "Get-OllamaModel -Detailed",
            "OllamaServerError", ErrorCategory.InvalidResult, "unable to read manifest"),

        // Install-OllamaModel: a streamed /api/pull that fails answers HTTP 200 and then an {"error"} line (Ollama's
        // pull_stream capture: "pulling manifest", then the error); it also breaks its stream, or a proxy answers 503
        new("pull-error-line-disk", f => f.ErrorLineAfter("/api/pull", 1, "write /root/.ollama/models/blobs: no space left on device", 10), Pull,
            "InsufficientDiskSpace", ErrorCategory.ResourceUnavailable, "no space left on device"),
        new("pull-error-line-other", f => f.ErrorLineAfter("/api/pull", 1, "unexpected status code 502", 10), Pull,
            "PullFailed", ErrorCategory.InvalidResult, "unexpected status code 502"),
        new("pull-http-503-queue-full", f => f.FailNext("/api/pull", 503, Busy, 10), Pull,
            "OllamaBusy", ErrorCategory.ResourceBusy, "maximum pending requests exceeded"),
        new("pull-error-line-network", f => f.ErrorLineAfter("/api/pull", 2, "max retries exceeded: EOF", 10), Pull,
            "RegistryUnreachable", ErrorCategory.ConnectionError, "max retries exceeded: EOF"),
        new("pull-error-line-digest", f => f.ErrorLineAfter("/api/pull", 3, "digest mismatch, file must be downloaded again", 10), Pull,
            "PullFailed", ErrorCategory.InvalidResult, "digest mismatch"),
        new("pull-truncated-stream", f => f.CutStreamAfter("/api/pull", 2, 10), Pull,
            "OllamaConnectionLost", ErrorCategory.ConnectionError, null),
        new("pull-malformed-json", f => f.MalformedJsonNext("/api/pull", 10), Pull,
            "OllamaInvalidResponse", ErrorCategory.InvalidData, null),
        new("pull-model-not-in-registry", _ => { }, "Install-OllamaModel nosuchmodel:1b -Confirm:$false",
            "ModelNotInRegistry", ErrorCategory.ObjectNotFound, "file does not exist", Recovers: false),
        new("pull-connection-aborted", f => f.RefuseConnections = true, Pull,
            "OllamaConnectionLost", ErrorCategory.ConnectionError, null),

        // Switch-OllamaModel: the load (/api/generate) fails
        new("load-model-not-installed", _ => { }, "Switch-OllamaModel nosuchmodel:1b",
            "ModelNotFound", ErrorCategory.ObjectNotFound, "nosuchmodel:1b", NotFoundEx, Recovers: false),
        new("load-http-500", f => f.FailNext("/api/generate", 500, "llama runner process has terminated: exit status 2", 10), Load,
            "OllamaServerError", ErrorCategory.InvalidResult, "llama runner process has terminated"),
        new("load-http-503-queue-full", f => f.FailNext("/api/generate", 503, Busy, 10), Load,
            "OllamaBusy", ErrorCategory.ResourceBusy, "maximum pending requests exceeded"),
        new("load-malformed-json", f => f.MalformedJsonNext("/api/generate", 10), Load,
            "OllamaInvalidResponse", ErrorCategory.InvalidData, null),
        new("load-slower-than-timeout", f => f.ColdLoadExtra = TimeSpan.FromSeconds(5), "Switch-OllamaModel gemma3:1b -TimeoutSec 1",
            "OllamaTimeout", ErrorCategory.OperationTimeout, null),
        new("load-connection-aborted", f => f.RefuseConnections = true, Load,
            "OllamaConnectionLost", ErrorCategory.ConnectionError, null),

        // Remove-OllamaModel
        new("delete-model-not-installed", _ => { }, "Remove-OllamaModel nosuchmodel:1b -Confirm:$false",
            "ModelNotFound", ErrorCategory.ObjectNotFound, "nosuchmodel:1b", NotFoundEx, Recovers: false),
        new("delete-http-500", f => f.FailNext("/api/delete", 500, "remove blob: permission denied", 10), Delete,
            "OllamaServerError", ErrorCategory.InvalidResult, "permission denied"),
        new("delete-connection-aborted", f => f.RefuseConnections = true, Delete,
            "OllamaConnectionLost", ErrorCategory.ConnectionError, null),

        // Measure-OllamaModel: an error line inside the 200 generate stream, a cut stream, errors
        new("generate-error-line", f => f.ErrorLineAfter("/api/generate", 3, "an error was encountered while running the model: CUDA error: out of memory", 10), Bench,
            "OllamaServerError", ErrorCategory.InvalidResult, "CUDA error: out of memory"),
        new("generate-truncated-stream", f => f.CutStreamAfter("/api/generate", 3, 10), Bench,
            "OllamaConnectionLost", ErrorCategory.ConnectionError, null),
        new("generate-no-output", f => f.InvalidUtf8After("/api/generate", 0, 10), Bench,
            "OllamaNoOutput", ErrorCategory.InvalidResult, "could not return the model's output"),
        new("generate-http-500", f => f.FailNext("/api/generate", 500, "llama runner process has terminated", 10), Bench,
            "OllamaServerError", ErrorCategory.InvalidResult, "llama runner process has terminated"),
        new("generate-model-not-installed", _ => { }, "Measure-OllamaModel nosuchmodel:1b -Count 1",
            "ModelNotFound", ErrorCategory.ObjectNotFound, "nosuchmodel:1b", NotFoundEx, Recovers: false),
        new("generate-slower-than-timeout", f => f.ResponseDelay = TimeSpan.FromSeconds(3), Bench + " -TimeoutSec 1",
            "OllamaTimeout", ErrorCategory.OperationTimeout, null),

        // Select-OllamaModel
        new("select-http-500", f => f.FailNext("/api/tags", 500, "unable to read manifest", 10), "Select-OllamaModel coding",
            "OllamaServerError", ErrorCategory.InvalidResult, "unable to read manifest"),
        new("select-http-503-queue-full", f => f.FailNext("/api/tags", 503, Busy, 10), "Select-OllamaModel coding",
            "OllamaBusy", ErrorCategory.ResourceBusy, "maximum pending requests exceeded"),
        new("select-connection-aborted", f => f.RefuseConnections = true, "Select-OllamaModel coding",
            "OllamaConnectionLost", ErrorCategory.ConnectionError, null),
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
        AssertClearError(r, fault.ErrorId, fault.Category, fault.Text, fault.ExceptionType);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"{name} took {sw.Elapsed}");

        _sim.State.Faults.Reset();
        if (fault.Recovers)
        {
            _sim.Ps.Invoke(fault.Script.Replace(" -TimeoutSec 1", string.Empty)).AssertNoErrors();
        }
    }

    /// <summary>
    /// Reads whose extra parts fail answer with what they could read plus a warning naming what is missing, so that a
    /// status or a listing is never lost to one failing call.
    /// </summary>
    public sealed record Degraded(string Name, Action<FaultSettings> Arrange, string Script, string? Warning, string? Property, object? Expected);

    private static readonly Dictionary<string, Degraded> DegradedReads = new Degraded[]
    {
        new("status-ps-500", f => f.FailNext("/api/ps", 500, "runner crashed", 10), "Get-OllamaModelStatus", "runner crashed", "IsReachable", true),
        new("status-ps-malformed", f => f.MalformedJsonNext("/api/ps", 10), "Get-OllamaModelStatus", "not valid JSON", "IsReachable", true),
        new("status-connection-aborted", f => f.RefuseConnections = true, "Get-OllamaModelStatus", "not reachable", "IsReachable", false),
        new("status-slower-than-timeout", f => f.ResponseDelay = TimeSpan.FromSeconds(3), "Get-OllamaModelStatus -TimeoutSec 1", "did not answer within 1 s", "IsReachable", false),
        new("detailed-show-500", f => f.FailNext("/api/show", 500, "failed to read gguf", 10), "Get-OllamaModel phi3:mini -Detailed", "failed to read gguf", "HasDetails", false),
        new("detailed-show-malformed", f => f.MalformedJsonNext("/api/show", 10), "Get-OllamaModel phi3:mini -Detailed", "not valid JSON", "HasDetails", false),
        new("detailed-show-404", f => f.FailNext("/api/show", 404, "model 'phi3:mini' not found", 10), "Get-OllamaModel phi3:mini -Detailed", "not found", "HasDetails", false),
        new("outdated-registry-500", f => f.FailNext("/v2/", 500, "registry error", 10), "Get-OllamaModel -Outdated -RegistryUri $args[0]", "Could not check", null, null),
        new("outdated-registry-503", f => f.FailNext("/v2/", 503, Busy, 10), "Get-OllamaModel -Outdated -RegistryUri $args[0]", "Could not check", null, null),
        new("available-registry-500", f => f.FailNext("/v2/", 500, "registry error", 1000), "Get-OllamaModel -Available -RegistryUri $args[0]", null, "Source", "Catalog"),
    }.ToDictionary(f => f.Name);

    public static IEnumerable<object[]> DegradedNames() => DegradedReads.Keys.Select(k => new object[] { k });

    [Theory]
    [MemberData(nameof(DegradedNames))]
    public void A_failing_part_of_a_read_is_a_warning_and_the_rest_is_answered(string name)
    {
        Degraded d = DegradedReads[name];
        d.Arrange(_sim.State.Faults);
        var sw = Stopwatch.StartNew();
        PsResult r = _sim.Ps.Invoke(d.Script, _sim.Uri.ToString());
        sw.Stop();
        r.AssertNoErrors();
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(10), $"{name} took {sw.Elapsed}");
        if (d.Warning is not null)
        {
            Assert.Contains(r.Warnings, w => w.Contains(d.Warning, StringComparison.Ordinal));
            Assert.All(r.Warnings, w => Assert.DoesNotContain("   at ", w));
        }

        if (d.Property is not null)
        {
            Assert.NotEmpty(r.Output);
            Assert.All(r.Output, o => Assert.Equal(d.Expected, o.Properties[d.Property].Value));
        }

        _sim.State.Faults.Reset();
        PsResult after = _sim.Ps.Invoke(d.Script + (d.Script.Contains("-Detailed") || d.Script.Contains("-Available") ? " -Refresh" : string.Empty), _sim.Uri.ToString());
        after.AssertNoErrors();
        Assert.Empty(after.Warnings);
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

    [Theory]
    [InlineData("POST", "/api/pull", Pull)]
    [InlineData("DELETE", "/api/delete", Delete)]
    [InlineData("POST", "/api/generate", Load)]
    public void A_state_changing_request_is_never_retried_blindly(string method, string path, string script)
    {
        _sim.State.Faults.FailNext(path, 503, Busy, 10);

        PsResult r = _sim.Ps.Invoke(script);

        AssertClearError(r, "OllamaBusy", ErrorCategory.ResourceBusy, "maximum pending requests exceeded");
        Assert.Equal(1, _sim.State.Log.Count(method, path));
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

    internal static void AssertClearError(PsResult r, string id, ErrorCategory category, string? serverText, string exceptionType = OllamaEx)
    {
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith(id + ",", e.FullyQualifiedErrorId);
        Assert.Equal(category, e.CategoryInfo.Category);
        Assert.Equal(exceptionType, e.Exception.GetType().FullName);
        Assert.False(string.IsNullOrWhiteSpace(e.ErrorDetails?.RecommendedAction), "no recommended action");
        Assert.DoesNotContain("   at ", e.ToString());
        Assert.DoesNotContain("Exception:", e.ToString());
        if (serverText is not null)
        {
            Assert.Contains(serverText, e.Exception.Message);
        }
    }
}
