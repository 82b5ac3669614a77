using System;
using System.Collections.Concurrent;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Commands;

/// <summary>
/// Lets background work write to the pipeline: every write is queued and performed on the pipeline thread by
/// <see cref="OllamaCmdlet.Run"/>, which is the only place PowerShell allows it.
/// </summary>
public sealed class PipelineBridge
{
    private readonly Cmdlet _cmdlet;
    private readonly BlockingCollection<Action> _queue = new();

    internal PipelineBridge(Cmdlet cmdlet) => _cmdlet = cmdlet;

    public void WriteObject(object? value) => Post(() => _cmdlet.WriteObject(value));

    public void WriteError(ErrorRecord record) => Post(() => _cmdlet.WriteError(record));

    public void WriteWarning(string text) => Post(() => _cmdlet.WriteWarning(text));

    public void WriteVerbose(string text) => Post(() => _cmdlet.WriteVerbose(text));

    public void WriteDebug(string text) => Post(() => _cmdlet.WriteDebug(text));

    public void WriteProgress(ProgressRecord record) => Post(() => _cmdlet.WriteProgress(record));

    /// <summary>Asks ShouldProcess on the pipeline thread (it may prompt the user) and returns the answer.</summary>
    public Task<bool> ShouldProcessAsync(string target, string action) => InvokeAsync(() => _cmdlet.ShouldProcess(target, action));

    /// <summary>Asks ShouldContinue on the pipeline thread.</summary>
    public Task<bool> ShouldContinueAsync(string query, string caption) => InvokeAsync(() => _cmdlet.ShouldContinue(query, caption));

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

    private void Post(Action action) => TryPost(action);

    private bool TryPost(Action action)
    {
        try
        {
            _queue.Add(action);
            return true;
        }
        catch (InvalidOperationException)
        {
            // The pipeline has finished or stopped; late writes from cancelled work are dropped.
            return false;
        }
    }
}
