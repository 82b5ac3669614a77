using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Reliability;

/// <summary>
/// The bad-input table: every cmdlet answers nonsense with parameter validation or an ErrorRecord whose message says
/// what was wrong; names that could climb paths never reach the server.
/// </summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private const string Validation = "ParameterArgumentValidationError";
    private const string Convert = "CannotConvertArgumentNoMessage";
    private const string Ambiguous = "AmbiguousParameterSet";
    private const string BadName = "InvalidModelName";
    private const string PathText = "names cannot contain '..'";
    private const string Tasks = "General, Coding, Analysis, Creative, Fast, Vision, Embedding, Tools";

    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    /// <summary>A row: the script, the error id it must give, text its message must hold, and whether any request may be sent.</summary>
    public sealed record Case(string Script, string ErrorId, string Text, bool NoRequest = true);

    private static readonly Case[] Cases =
    {
        // Names: empty, whitespace, overlong, path-like, invalid tags
        new("Get-OllamaModel -Name ''", Validation, "'Name'"),
        new("Get-OllamaModel -Name '   '", BadName, "empty"),
        new("Get-OllamaModel -Name '../x*'", BadName, PathText),
        new("Install-OllamaModel -Name '' -Confirm:$false", Validation, "'Name'"),
        new("Install-OllamaModel -Name '   ' -Confirm:$false", BadName, "empty"),
        new("Install-OllamaModel -Name ('a' * 600) -Confirm:$false", BadName, "600 characters"),
        new("Install-OllamaModel -Name '../etc/passwd' -Confirm:$false", BadName, PathText),
        new("Install-OllamaModel -Name 'a/../../b' -Confirm:$false", BadName, PathText),
        new("Install-OllamaModel -Name 'C:\\models\\x' -Confirm:$false", BadName, PathText),
        new("Install-OllamaModel -Name '/llama3.2' -Confirm:$false", BadName, PathText),
        new("Install-OllamaModel -Name 'llama3.2:bad tag' -Confirm:$false", BadName, "name[:tag]"),
        new("Install-OllamaModel -Name 'llama3.2:' -Confirm:$false", BadName, "name[:tag]"),
        new("Install-OllamaModel -Name 'llama3.2?x=1' -Confirm:$false", BadName, "name[:tag]"),
        new("Switch-OllamaModel -Name ''", Validation, "'Name'"),
        new("Switch-OllamaModel -Name '   '", BadName, "empty"),
        new("Switch-OllamaModel -Name '..'", BadName, PathText),
        new("Switch-OllamaModel -Name '../x'", BadName, PathText),
        new("Switch-OllamaModel -Name 'x/../../y'", BadName, PathText),
        new("Switch-OllamaModel -Name 'llama3.2:tag:extra'", BadName, "name[:tag]"),
        new("Remove-OllamaModel -Name '' -Confirm:$false", Validation, "'Name'"),
        new("Remove-OllamaModel -Name '../x' -Confirm:$false", BadName, PathText),
        new("Remove-OllamaModel -Name 'a\\b' -Confirm:$false", BadName, PathText),
        new("Remove-OllamaModel -Name '../*' -Confirm:$false", BadName, PathText),
        new("Remove-OllamaModel -Name 'phi3:bad tag' -Confirm:$false", BadName, "name[:tag]"),
        new("Measure-OllamaModel '../x' -Count 1", BadName, PathText),
        new("Measure-OllamaModel 'a/../b' -Count 1", BadName, PathText),
        new("Measure-OllamaModel 'models\\phi3' -Count 1", BadName, PathText),

        // Counts and ranges: zero, negative, huge
        new("Get-OllamaModel -TimeoutSec 0", Validation, "'TimeoutSec'"),
        new("Get-OllamaModel -TimeoutSec -5", Validation, "'TimeoutSec'"),
        new("Get-OllamaModel -TimeoutSec 99999999", Validation, "86400"),
        new("Install-OllamaModel -Name phi3:mini -TimeoutSec 0 -Confirm:$false", Validation, "'TimeoutSec'"),
        new("Switch-OllamaModel phi3:mini -TimeoutSec -1", Validation, "'TimeoutSec'"),
        new("Measure-OllamaModel phi3:mini -TimeoutSec 0", Validation, "'TimeoutSec'"),
        new("Get-OllamaModelStatus -TimeoutSec 0", Validation, "'TimeoutSec'"),
        new("Measure-OllamaModel phi3:mini -Count 0", Validation, "'Count'"),
        new("Measure-OllamaModel phi3:mini -Count -1", Validation, "'Count'"),
        new("Measure-OllamaModel phi3:mini -Count 100000", Validation, "1000"),
        new("Measure-OllamaModel phi3:mini -Warmup -1", Validation, "'Warmup'"),
        new("Measure-OllamaModel phi3:mini -MaxTokens 0", Validation, "'MaxTokens'"),
        new("Measure-OllamaModel phi3:mini -Temperature 5", Validation, "'Temperature'"),
        new("Measure-OllamaModel phi3:mini -Prompt ''", Validation, "'Prompt'"),
        new("Select-OllamaModel coding -Top 0", Validation, "'Top'"),
        new("Select-OllamaModel coding -MinContext 0", Validation, "'MinContext'"),
        new("Select-OllamaModel coding -MemoryLimit -1", Validation, "'MemoryLimit'"),
        new("Get-OllamaModel -Available -MaxSize 0", Validation, "'MaxSize'"),
        new("Set-OllamaCache -TimeToLive 0", "InvalidTimeToLive", "must be positive"),
        new("Set-OllamaCache -TimeToLive '-00:05:00'", "InvalidTimeToLive", "must be positive"),
        new("Set-OllamaCache -TimeToLive 'abc'", Convert, "TimeSpan"),
        new("Switch-OllamaModel phi3:mini -KeepAlive 'abc'", "ParameterArgumentTransformationError", "'30s'"),
        new("Install-OllamaModel -Name phi3:mini -KeepAlive 'forever-ish' -Confirm:$false", "ParameterArgumentTransformationError", "'30s'"),

        // Addresses: malformed URIs, unsupported schemes
        new("Get-OllamaModel -Uri 'ftp://x'", "InvalidOllamaUri", "http or https"),
        new("Get-OllamaModel -Uri 'not a uri at all'", "InvalidOllamaUri", "host name cannot have"),
        new("Get-OllamaModel -Uri ''", Validation, "'Uri'"),
        new("Select-OllamaModel coding -Uri 'ftp://x'", "InvalidOllamaUri", "http or https"),
        new("Get-OllamaModelStatus -Uri 'gopher://x'", "InvalidOllamaUri", "http or https"),
        new("Install-OllamaModel phi3:mini -Uri 'file:///etc/passwd' -Confirm:$false", "InvalidOllamaUri", "http or https"),
        new("Get-OllamaModel -Outdated -RegistryUri 'ftp://x'", "InvalidRegistryUri", "https://"),

        // Unknown tasks and kinds: the answer lists the valid ones
        new("Select-OllamaModel -Task bogus", Convert, Tasks),
        new("Measure-OllamaModel phi3:mini -Task bogus", Convert, Tasks),
        new("Get-OllamaModel -Available -Task bogus", Convert, Tasks),
        new("Clear-OllamaCache -Kind bogus", "UnknownCacheKind", "details, registry"),
        new("Clear-OllamaCache -Kind ''", Validation, "'Kind'"),

        // Conflicting switches
        new("Get-OllamaModel -Loaded -Available", Ambiguous, "cannot be used together"),
        new("Get-OllamaModel -Detailed -Loaded", Ambiguous, "cannot be used together"),
        new("Get-OllamaModel -Outdated -Available", Ambiguous, "cannot be used together"),
        new("Measure-OllamaModel phi3:mini -Prompt 'x' -Task Coding", Ambiguous, "cannot be used together"),
        new("Select-OllamaModel coding -Top 5 -All", Ambiguous, "cannot be used together"),

        // $null and wrong object types in pipelines
        new("$null | Install-OllamaModel -Confirm:$false", Validation, "'Name'"),
        new("$null | Remove-OllamaModel -Confirm:$false", Validation, "'Name'"),
        new("$null | Measure-OllamaModel", Validation, "'Name'"),
        new("[datetime]::Now | Install-OllamaModel -Confirm:$false", BadName, "name[:tag]"),
        new("[datetime]::Now | Switch-OllamaModel", BadName, "name[:tag]"),
        new("[datetime]::Now | Remove-OllamaModel -Confirm:$false", BadName, "name[:tag]"),
        new("[datetime]::Now | Measure-OllamaModel -Count 1", BadName, "name[:tag]"),
        new("[pscustomobject]@{ Name = '../x' } | Install-OllamaModel -Confirm:$false", BadName, PathText),
        new("[pscustomobject]@{ Name = '..\\x' } | Switch-OllamaModel", BadName, PathText),
    };

    public static IEnumerable<object[]> CaseIndexes() => Enumerable.Range(0, Cases.Length).Select(i => new object[] { i, Cases[i].Script });

    [Theory]
    [MemberData(nameof(CaseIndexes))]
    public void Each_bad_input_is_a_clear_error(int index, string script)
    {
        Case c = Cases[index];
        Assert.Equal(c.Script, script);
        int before = _sim.State.Log.Entries.Count;

        PsResult r = _sim.Ps.Invoke(c.Script);

        Assert.Empty(r.Output);
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.StartsWith(c.ErrorId, e.FullyQualifiedErrorId);
        string message = e.ErrorDetails?.Message ?? e.Exception.Message;
        Assert.Contains(c.Text, message);
        Assert.DoesNotContain("   at ", e.ToString());
        if (c.NoRequest)
        {
            Assert.Equal(before, _sim.State.Log.Entries.Count);
        }
    }

    [Fact]
    public void The_table_covers_every_cmdlet_and_at_least_forty_cases()
    {
        Assert.True(Cases.Length >= 40, $"{Cases.Length} cases");
        foreach (string cmdlet in new[] { "Get-OllamaModel", "Install-OllamaModel", "Switch-OllamaModel", "Remove-OllamaModel", "Measure-OllamaModel", "Select-OllamaModel", "Get-OllamaModelStatus", "Set-OllamaCache", "Clear-OllamaCache" })
        {
            Assert.Contains(Cases, c => c.Script.Contains(cmdlet + " ", StringComparison.Ordinal));
        }
    }
}
