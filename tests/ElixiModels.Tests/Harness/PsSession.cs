using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Tests.Harness;

/// <summary>A real PowerShell runspace with ElixiModels imported from the repository manifest.</summary>
public sealed class PsSession : IDisposable
{
    private readonly Runspace _runspace;

    private PsSession(TestHost host, Runspace runspace)
    {
        Host = host;
        _runspace = runspace;
    }

    public TestHost Host { get; }

    public Runspace Runspace => _runspace;

    /// <summary>Opens a runspace and imports the module; <paramref name="ollamaHost"/> becomes $env:OLLAMA_HOST for it.</summary>
    public static PsSession Start(Uri? ollamaHost = null, TestHost? host = null)
    {
        host ??= new TestHost();
        InitialSessionState iss = InitialSessionState.CreateDefault2();
        iss.ThreadOptions = PSThreadOptions.UseNewThread;
        Runspace runspace = RunspaceFactory.CreateRunspace(host, iss);
        runspace.Open();
        var session = new PsSession(host, runspace);
        PsResult import = session.Invoke("Import-Module $args[0] -ErrorAction Stop", Repo.Manifest);
        if (import.Errors.Count > 0)
        {
            throw new InvalidOperationException("Import-Module failed: " + string.Join("; ", import.Errors.Select(e => e.ToString())));
        }

        if (ollamaHost is not null)
        {
            session.SetDefaultUri(ollamaHost);
        }

        return session;
    }

    /// <summary>Makes every ElixiModels cmdlet in this session talk to <paramref name="uri"/> by default.</summary>
    public void SetDefaultUri(Uri uri) =>
        Invoke("$PSDefaultParameterValues['*-Ollama*:Uri'] = $args[0]", uri.ToString());

    /// <summary>Runs a script; <paramref name="args"/> are available as $args.</summary>
    public PsResult Invoke(string script, params object?[] args)
    {
        using PowerShell ps = Create(script, args);
        return Collect(ps, () => ps.Invoke());
    }

    /// <summary>
    /// Runs a script and stops it (as Ctrl+C does) after <paramref name="stopAfter"/>; reports how long the stop took.
    /// Output written before the stop is kept, as a console would already have shown it.
    /// </summary>
    public (PsResult Result, TimeSpan StopTook) InvokeAndStop(string script, TimeSpan stopAfter, params object?[] args)
    {
        TimeSpan took = TimeSpan.Zero;
        PsResult result = InvokeWhile(script, ps =>
        {
            Thread.Sleep(stopAfter);
            var sw = System.Diagnostics.Stopwatch.StartNew();
            ps.Stop();
            took = sw.Elapsed;
        }, args);
        return (result, took);
    }

    /// <summary>
    /// Runs a script while <paramref name="whileRunning"/> acts on the outside (e.g. waits for progress, then stops).
    /// Output written before a stop is kept.
    /// </summary>
    public PsResult InvokeWhile(string script, Action<PowerShell> whileRunning, params object?[] args)
    {
        using PowerShell ps = Create(script, args);
        var output = new PSDataCollection<PSObject>();
        IAsyncResult handle = ps.BeginInvoke<PSObject, PSObject>(null, output);
        whileRunning(ps);
        return Collect(ps, () =>
        {
            try
            {
                ps.EndInvoke(handle);
            }
            catch (PipelineStoppedException)
            {
                // What was written before the stop is in the output collection.
            }

            return output.ToList();
        });
    }

    public void Dispose() => _runspace.Dispose();

    private PowerShell Create(string script, object?[] args)
    {
        PowerShell ps = PowerShell.Create();
        ps.Runspace = _runspace;
        ps.AddScript(script);
        foreach (object? a in args)
        {
            ps.AddArgument(a);
        }

        return ps;
    }

    private static PsResult Collect(PowerShell ps, Func<IEnumerable<PSObject>> run)
    {
        Exception? terminating = null;
        List<PSObject> output;
        try
        {
            output = run().ToList();
        }
        catch (RuntimeException ex)
        {
            terminating = ex;
            output = new List<PSObject>();
        }

        return new PsResult(
            output,
            ps.Streams.Error.ToList(),
            ps.Streams.Warning.Select(w => w.Message).ToList(),
            ps.Streams.Verbose.Select(v => v.Message).ToList(),
            ps.Streams.Progress.ToList(),
            ps.Streams.Information.Select(i => i.MessageData?.ToString() ?? string.Empty).ToList(),
            terminating);
    }
}

/// <summary>What a pipeline produced, stream by stream.</summary>
public sealed record PsResult(
    IReadOnlyList<PSObject> Output,
    IReadOnlyList<ErrorRecord> Errors,
    IReadOnlyList<string> Warnings,
    IReadOnlyList<string> Verbose,
    IReadOnlyList<ProgressRecord> Progress,
    IReadOnlyList<string> Information,
    Exception? Terminating)
{
    /// <summary>Errors plus the terminating one, if any, as ErrorRecords.</summary>
    public IReadOnlyList<ErrorRecord> AllErrors =>
        Terminating is IContainsErrorRecord c ? Errors.Append(c.ErrorRecord).ToList() : Errors;

    public IEnumerable<T> Objects<T>() => Output.Select(o => o.BaseObject).OfType<T>();

    /// <summary>Values of one property of every output object (works across load contexts).</summary>
    public IReadOnlyList<object?> Property(string name) => Output.Select(o => o.Properties[name]?.Value).ToList();

    public void AssertNoErrors()
    {
        if (AllErrors.Count > 0)
        {
            throw new Xunit.Sdk.XunitException("Unexpected errors:\n" + string.Join("\n", AllErrors.Select(e => $"[{e.FullyQualifiedErrorId}] {e}")));
        }
    }
}
