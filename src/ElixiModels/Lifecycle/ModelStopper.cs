using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Lifecycle;

/// <summary>
/// Unloads a loaded model as `ollama stop` does (an empty generate with keep_alive 0), then confirms it with /api/ps:
/// Ollama unloads asynchronously, and a model busy with a request stays until the request ends.
/// </summary>
public sealed class ModelStopper
{
    private static readonly TimeSpan FirstPoll = TimeSpan.FromMilliseconds(50);
    private static readonly TimeSpan MaxPoll = TimeSpan.FromMilliseconds(500);
    private readonly OllamaClient _client;

    public ModelStopper(OllamaClient client)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
    }

    /// <summary>How long to wait for /api/ps to stop listing the model. Default 15 s.</summary>
    public TimeSpan VerifyTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Unloads <paramref name="model"/> and waits until /api/ps no longer lists it (at most <see cref="VerifyTimeout"/>).
    /// Returns whether it is gone and how long that took.
    /// </summary>
    public async Task<(bool Unloaded, TimeSpan Elapsed)> StopAsync(WireRunningModel model, CancellationToken ct)
    {
        Stopwatch watch = Stopwatch.StartNew();
        await _client.UnloadAsync(ModelName.Normalize(model.Name), ct).ConfigureAwait(false);
        TimeSpan delay = FirstPoll;
        while (true)
        {
            IReadOnlyList<WireRunningModel> running = await _client.ListRunningAsync(ct).ConfigureAwait(false);
            if (!running.Any(r => ModelName.SameModel(r.Name, model.Name)))
            {
                return (true, watch.Elapsed);
            }

            if (watch.Elapsed >= VerifyTimeout)
            {
                return (false, watch.Elapsed);
            }

            await Task.Delay(delay, ct).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(MaxPoll.Ticks, delay.Ticks * 2));
        }
    }
}
