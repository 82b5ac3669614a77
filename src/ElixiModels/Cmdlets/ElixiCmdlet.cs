using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Ollama;
using ElixiModels.Session;

namespace ElixiModels.Cmdlets;

/// <summary>
/// Base of every ElixiModels cmdlet: the per-session state, cancellation on Ctrl+C (StopProcessing), the single
/// bridge from async work to the pipeline thread, and whether a parameter was typed or came from the defaults.
/// </summary>
public abstract class ElixiCmdlet : PSCmdlet, IDisposable
{
    private static readonly ConditionalWeakTable<Runspace, SessionContext> Sessions = new();
    private static readonly SessionContext Fallback = new();
    private readonly CancellationTokenSource _stopping = new();
    private SessionContext? _session;

    /// <summary>Cancelled when the user presses Ctrl+C or the pipeline is stopped.</summary>
    protected CancellationToken StopToken => _stopping.Token;

    /// <summary>This session's cache, active models and benchmark results.</summary>
    protected SessionContext Session => _session ??= CurrentSession();

    /// <summary>The bridge of the <see cref="Run"/> in progress, for writes from callbacks (e.g. the request trace).</summary>
    protected PipelineBridge? CurrentBridge { get; private set; }

    protected override void BeginProcessing() => _session = CurrentSession();

    protected override void StopProcessing() => _stopping.Cancel();

    /// <summary>
    /// Runs async work and performs its pipeline writes here, on the pipeline thread, until it ends. Ctrl+C cancels
    /// the work's token and returns at once. Exceptions the work lets escape become terminating errors.
    /// </summary>
    protected void Run(Func<PipelineBridge, CancellationToken, Task> work)
    {
        var bridge = new PipelineBridge(this);
        CurrentBridge = bridge;
        CancellationToken token = _stopping.Token;
        Task task = Task.Run(() => work(bridge, token), token);
        task.ContinueWith(_ => bridge.Complete(), CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        try
        {
            bridge.Drain(token);
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            // Give the cancelled work a moment to unwind so nothing outlives the pipeline; never block the stop on it.
            try
            {
                task.Wait(TimeSpan.FromMilliseconds(500));
            }
            catch (AggregateException)
            {
                // Cancelled or failed while stopping: nothing left to report.
            }

            OnStopped();
            throw new PipelineStoppedException();
        }
        finally
        {
            if (!task.IsCompleted)
            {
                _stopping.Cancel();
            }
        }

        if (task.IsCanceled || token.IsCancellationRequested)
        {
            OnStopped();
            throw new PipelineStoppedException();
        }

        if (task.Exception is { } failure)
        {
            Exception inner = failure.InnerExceptions.Count == 1 ? failure.InnerException! : failure;
            if (inner is OperationCanceledException && token.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }

            if (inner is PipelineStoppedException or ParameterBindingException)
            {
                throw inner;
            }

            ThrowTerminatingError(OllamaErrors.From(inner, null));
        }
    }

    /// <summary>
    /// Called on the pipeline thread when Ctrl+C stopped <see cref="Run"/>, after the work had its moment to unwind.
    /// The pipeline no longer accepts output here; the host's console still shows what is written to it directly.
    /// </summary>
    protected virtual void OnStopped()
    {
    }

    public void Dispose()
    {
        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    /// <summary>The session of the runspace completing a parameter (argument completers have no cmdlet).</summary>
    internal static SessionContext CurrentSessionForCompletion() => CurrentSession();

    private static SessionContext CurrentSession()
    {
        Runspace? runspace = Runspace.DefaultRunspace;
        return runspace is null ? Fallback : Sessions.GetValue(runspace, r =>
        {
            var session = new SessionContext();
            // A closed runspace's active models no longer keep other sessions from unloading them.
            r.StateChanged += (_, e) =>
            {
                if (e.RunspaceStateInfo.State is RunspaceState.Closed or RunspaceState.Broken)
                {
                    session.Close();
                }
            };
            return session;
        });
    }

    /// <summary>
    /// The names fit to send to a server (wildcards allowed); each other one is written as an InvalidModelName error.
    /// </summary>
    protected List<string> AcceptNames(IEnumerable<string>? names)
    {
        (List<string> accepted, List<(string Text, string Problem)> rejected) = Models.ModelNameFilter.Check(names ?? Array.Empty<string>());
        foreach ((string text, string problem) in rejected)
        {
            WriteError(OllamaErrors.InvalidModelName(text, problem));
        }

        return accepted;
    }

    /// <summary>
    /// Whether a parameter was typed for this command rather than bound from $PSDefaultParameterValues. A -Uri that
    /// only comes from the defaults is a default server, like $env:OLLAMA_HOST, so a piped object's Host still wins
    /// over it; a default for a parameter that does not apply to the chosen mode is ignored, a typed one is an error.
    /// </summary>
    protected bool GivenExplicitly(string parameterName)
    {
        if (!MyInvocation.BoundParameters.TryGetValue(parameterName, out object? bound))
        {
            return false;
        }

        if (SessionState?.PSVariable.GetValue("PSDefaultParameterValues") is not System.Collections.IDictionary defaults
            || defaults.Contains("Disabled") && LanguagePrimitives.IsTrue(defaults["Disabled"]))
        {
            return true;
        }

        foreach (System.Collections.DictionaryEntry entry in defaults)
        {
            if (DefaultParameterValues.Applies(entry.Key, MyInvocation.MyCommand.Name, parameterName)
                && (entry.Value is ScriptBlock || SameValue(entry.Value, bound)))
            {
                return false;
            }
        }

        return true;
    }

    private static bool SameValue(object? configured, object? bound)
    {
        object? b = bound is PSObject pb ? pb.BaseObject : bound;
        if (b is SwitchParameter sw)
        {
            return LanguagePrimitives.IsTrue(configured) == sw.IsPresent;
        }

        if (b is KeepAlive keepAlive)
        {
            return KeepAliveParser.TryParse(configured, out KeepAlive parsed, out _) && parsed.Equals(keepAlive);
        }

        if (b is Array || configured is Array)
        {
            return LanguagePrimitives.TryConvertTo(configured, out string[]? left) && LanguagePrimitives.TryConvertTo(b, out string[]? right)
                && left is not null && right is not null && left.SequenceEqual(right, StringComparer.OrdinalIgnoreCase);
        }

        return LanguagePrimitives.TryConvertTo(configured, out string? l) && LanguagePrimitives.TryConvertTo(b, out string? r)
            && string.Equals(l, r, StringComparison.OrdinalIgnoreCase);
    }
}
