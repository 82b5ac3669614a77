using System;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>Reuses a reading for a short time and shares one reading between concurrent callers.</summary>
public sealed class CachedResourceProbe : IHostResourceProbe
{
    private readonly IHostResourceProbe _inner;
    private readonly TimeSpan _ttl;
    private readonly Func<DateTimeOffset> _clock;
    private readonly object _gate = new();
    private Task<HostResources>? _current;
    private DateTimeOffset _startedAt;

    public CachedResourceProbe(IHostResourceProbe inner, TimeSpan timeToLive, Func<DateTimeOffset>? clock = null)
    {
        _inner = inner;
        _ttl = timeToLive;
        _clock = clock ?? (() => DateTimeOffset.UtcNow);
    }

    public Task<HostResources> ReadAsync(CancellationToken cancellationToken)
    {
        Task<HostResources> reading;
        lock (_gate)
        {
            DateTimeOffset now = _clock();
            bool reusable = _current is { } c && (!c.IsCompleted || (c.Status == TaskStatus.RanToCompletion && now - _startedAt < _ttl));
            if (!reusable)
            {
                // Not tied to one caller's token: others may share this reading; tool runs have their own timeouts.
                _current = Task.Run(() => _inner.ReadAsync(CancellationToken.None));
                _startedAt = now;
            }

            reading = _current!;
        }

        return WithCancellation(reading, cancellationToken);
    }

    private static async Task<T> WithCancellation<T>(Task<T> task, CancellationToken ct)
    {
        if (!ct.CanBeCanceled || task.IsCompleted)
        {
            return await task.ConfigureAwait(false);
        }

        var cancelled = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (ct.Register(() => cancelled.TrySetResult(true)))
        {
            if (await Task.WhenAny(task, cancelled.Task).ConfigureAwait(false) != task)
            {
                ct.ThrowIfCancellationRequested();
            }
        }

        return await task.ConfigureAwait(false);
    }
}
