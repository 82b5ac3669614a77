using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Cmdlets;

/// <summary>
/// Lets background work write to the pipeline: every write is queued and performed on the pipeline thread by
/// <see cref="ElixiCmdlet.Run"/>, which is the only place PowerShell allows it.
/// </summary>
public sealed class PipelineBridge : IDisposable
{
    private readonly Cmdlet _cmdlet;
    private readonly BlockingCollection<Action> _queue = new();
    private readonly PipelineBridge? _parent;
    private List<Action>? _held;
    private bool? _debugWithoutVerbose;

    internal PipelineBridge(Cmdlet cmdlet) => _cmdlet = cmdlet;

    // A child writes through its parent, but holds its writes until it is released, so the output of work done in
    // parallel (one child per server) still comes out in a stable order.
    private PipelineBridge(PipelineBridge parent)
    {
        _cmdlet = parent._cmdlet;
        _parent = parent;
        _held = new List<Action>();
    }

    /// <summary>A bridge whose writes are held until <see cref="Release"/>.</summary>
    internal PipelineBridge CreateHeldChild() => new(this);

    /// <summary>Passes on what a held child wrote so far, and everything it writes from now on.</summary>
    internal void Release()
    {
        List<Action>? held;
        lock (_queue)
        {
            held = _held;
            _held = null;
        }

        foreach (Action action in held ?? new List<Action>())
        {
            _parent!.TryPost(action);
        }
    }

    public void WriteObject(object? value) => Post(() => _cmdlet.WriteObject(value));

    public void WriteError(ErrorRecord record) => Post(() => _cmdlet.WriteError(record));

    public void WriteWarning(string text) => Post(() => _cmdlet.WriteWarning(text));

    public void WriteVerbose(string text) => Post(() =>
    {
        // -Debug without -Verbose makes PowerShell ask before each verbose message of a binary cmdlet; -Debug asks to
        // see everything, so the text goes to the debug stream instead of stopping a script at a prompt.
        if (DebugWithoutVerbose)
        {
            _cmdlet.WriteDebug("VERBOSE: " + text);
        }
        else
        {
            _cmdlet.WriteVerbose(text);
        }
    });

    private bool DebugWithoutVerbose => _debugWithoutVerbose ??=
        _cmdlet is PSCmdlet { MyInvocation.BoundParameters: { } bound }
        && bound.TryGetValue("Debug", out object? debug) && LanguagePrimitives.IsTrue(debug) && !bound.ContainsKey("Verbose");

    public void WriteDebug(string text) => Post(() => _cmdlet.WriteDebug(text));

    public void WriteProgress(ProgressRecord record) => Post(() => _cmdlet.WriteProgress(record));

    /// <summary>Asks ShouldProcess on the pipeline thread (it may prompt the user) and returns the answer.</summary>
    public Task<bool> ShouldProcessAsync(string target, string action) => InvokeAsync(() => _cmdlet.ShouldProcess(target, action));

    /// <summary>Runs <paramref name="func"/> on the pipeline thread and hands back its result.</summary>
    public Task<T> InvokeAsync<T>(Func<T> func)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!TryPost(() =>
        {
            try
            {
                done.TrySetResult(func());
            }
            catch (Exception ex)
            {
                done.TrySetException(ex);
                throw;
            }
        }))
        {
            done.TrySetCanceled();
        }

        return done.Task;
    }

    internal void Complete() => _queue.CompleteAdding();

    internal void Drain(CancellationToken stopping)
    {
        foreach (Action action in _queue.GetConsumingEnumerable(stopping))
        {
            action();
        }
    }

    /// <summary>Frees the queue once the work has ended and the queue is drained; later writes are dropped.</summary>
    public void Dispose() => _queue.Dispose();

    private void Post(Action action) => TryPost(action);

    private bool TryPost(Action action)
    {
        if (_parent is not null)
        {
            lock (_queue)
            {
                if (_held is not null)
                {
                    _held.Add(action);
                    return true;
                }
            }

            return _parent.TryPost(action);
        }

        try
        {
            _queue.Add(action);
            return true;
        }
        catch (InvalidOperationException)
        {
            // The pipeline has finished or stopped (an ObjectDisposedException once disposed is one too); late writes
            // from cancelled work are dropped.
            return false;
        }
    }
}
