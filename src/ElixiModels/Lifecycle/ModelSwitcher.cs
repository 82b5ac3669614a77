using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Reporting;

namespace ElixiModels.Lifecycle;

/// <summary>
/// Makes an installed model the active one on a server: loads it (an empty generate with keep_alive), then unloads
/// the previously active model (keep_alive 0). Switching to the model that is active and loaded does nothing.
/// </summary>
public sealed class ModelSwitcher
{
    /// <summary>The environment variable naming the model to switch to when no name is given (scheduled tasks).</summary>
    public const string DefaultModelVariable = "ELIXI_MODEL";

    private readonly OllamaClient _client;
    private readonly Func<string, CancellationToken, Task<IReadOnlyList<string>?>>? _capabilities;

    /// <param name="client">The server.</param>
    /// <param name="capabilities">What a model can do (null when unknown): an embedding-only model is loaded through
    /// /api/embed, since /api/generate refuses it.</param>
    public ModelSwitcher(OllamaClient client, Func<string, CancellationToken, Task<IReadOnlyList<string>?>>? capabilities = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _capabilities = capabilities;
    }

    /// <summary>The model named by $env:ELIXI_MODEL, if set.</summary>
    public static string? DefaultModel()
    {
        string? value = Environment.GetEnvironmentVariable(DefaultModelVariable);
        return string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }

    /// <param name="model">An installed model.</param>
    /// <param name="previous">The session's active model on this server, if any.</param>
    /// <param name="keepAlive">How long to keep the model loaded; null leaves it to the server.</param>
    /// <param name="keepPrevious">Leave the previous model loaded.</param>
    /// <param name="confirm">Asked right before loading, with a description of the change; false declines.</param>
    /// <param name="reporter">Warned about a previous model that could not be unloaded, or a model no longer in memory.</param>
    /// <param name="ct">Cancels the load.</param>
    /// <param name="numCtx">The context length to load with (num_ctx); null leaves it to the server. A loaded model with another context is reloaded.</param>
    /// <param name="coordination">
    /// How this process's other sessions are respected: a previous model one of them has active is never unloaded.
    /// </param>
    /// <returns>The result, or null when declined.</returns>
    public async Task<ModelSwitchResult?> SwitchAsync(string model, string? previous, KeepAlive? keepAlive, bool keepPrevious,
        Func<string, Task<bool>> confirm, IOperationReporter reporter, CancellationToken ct, SwitchCoordination? coordination = null, int? numCtx = null)
    {
        string current = ModelName.Normalize(model);
        string? before = previous is null ? null : ModelName.Normalize(previous);
        bool same = before is not null && ModelName.SameModel(before, current);
        string keep = keepAlive is { } k ? Describe(k) : "server default";

        bool alreadyLoaded = false;
        if (same)
        {
            IReadOnlyList<WireRunningModel> running = await _client.ListRunningAsync(ct).ConfigureAwait(false);
            alreadyLoaded = running.Any(r => ModelName.SameModel(r.Name, current) && (numCtx is null || r.ContextLength == numCtx));
            if (alreadyLoaded && keepAlive is null)
            {
                return new ModelSwitchResult
                {
                    PreviousModel = before,
                    CurrentModel = current,
                    Host = _client.Host,
                    WasAlreadyActive = true,
                    IsLoaded = true,
                };
            }
        }

        bool unload = before is not null && !same && !keepPrevious;
        string action = alreadyLoaded
            ? $"Keep loaded (keep alive: {keep})"
            : $"Load and make active (keep alive: {keep}{(numCtx is { } n ? $", context {n:N0} tokens" : string.Empty)})" + (unload ? $", then unload {before}" : string.Empty);
        if (!await confirm(action).ConfigureAwait(false))
        {
            return null;
        }

        Stopwatch watch = Stopwatch.StartNew();
        IReadOnlyList<string>? can = _capabilities is null ? null : await _capabilities(current, ct).ConfigureAwait(false);
        bool embeddingOnly = can is not null && can.Contains("embedding", StringComparer.OrdinalIgnoreCase)
            && !can.Contains("completion", StringComparer.OrdinalIgnoreCase);
        reporter.Verbose($"Loading {current} on {_client.Host} through {(embeddingOnly ? "/api/embed (an embedding model)" : "/api/generate")} " +
            $"(keep alive: {keep}, context: {(numCtx is { } c ? $"{c:N0} tokens" : "the model's default")}); " +
            $"waiting for the server to answer, at most {Units.Duration(_client.Options.LoadTimeout)}.");
        GenerateChunk loaded = await ShowElapsedAsync(embeddingOnly
            ? _client.LoadEmbeddingModelAsync(current, keepAlive, ct)
            : _client.LoadAsync(current, keepAlive, ct, numCtx), current, watch, reporter, ct).ConfigureAwait(false);
        TimeSpan loadTime = watch.Elapsed;

        bool unloaded = false;
        string? note = null;
        if (unload)
        {
            if (coordination is not null)
            {
                await coordination.Lock.WaitAsync(ct).ConfigureAwait(false);
            }

            try
            {
                if (coordination?.HeldElsewhere(before!) == true)
                {
                    note = $"{before} was left loaded: another session of this process has it active.";
                }
                else
                {
                    await _client.UnloadAsync(before!, ct).ConfigureAwait(false);
                    unloaded = true;
                    coordination?.Unloaded(before!);
                }
            }
            catch (OllamaException ex) when (ex.Kind == OllamaErrorKind.ModelNotFound)
            {
                // Deleted since it was made active (here or by another client): nothing is left to unload.
                note = $"{before} is no longer installed on {_client.Host}, so there was nothing to unload.";
            }
            catch (OllamaException ex)
            {
                // The new model is loaded and active; a previous one that will not unload is not a failure of the switch.
                reporter.Warning($"{current} is active, but the previous model {before} could not be unloaded: {ex.Message}");
            }
            finally
            {
                coordination?.Lock.Release();
            }
        }

        // Verify: one /api/ps says whether the model really is in memory now (another client may have unloaded it).
        bool? isLoaded = null;
        try
        {
            IReadOnlyList<WireRunningModel> running = await _client.ListRunningAsync(ct).ConfigureAwait(false);
            isLoaded = running.Any(r => ModelName.SameModel(r.Name, current));
        }
        catch (OllamaException ex)
        {
            reporter.Warning($"{current} was loaded, but whether it is still in memory could not be checked: {ex.Message}");
        }

        if (isLoaded == false)
        {
            string gone = $"{current} is not loaded: the server answered the load, but no longer lists it in memory (unloaded by another client, or evicted).";
            note = note is null ? gone : note + " " + gone;
            reporter.Warning(gone);
        }

        return new ModelSwitchResult
        {
            PreviousModel = before,
            CurrentModel = current,
            LoadTime = loadTime,
            ServerLoadDuration = loaded.LoadDuration is > 0 ? TimeSpan.FromTicks(loaded.LoadDuration.Value / 100) : null,
            Host = _client.Host,
            Unloaded = unloaded,
            WasAlreadyActive = alreadyLoaded,
            KeepAlive = keepAlive is { } given ? given.Duration ?? TimeSpan.MaxValue : null,
            IsLoaded = isLoaded,
            Note = note,
        };
    }

    /// <summary>The progress bar of a load that takes more than a second.</summary>
    public const int LoadActivity = 1;

    /// <summary>
    /// Waits for the load, reporting the time elapsed once a second after the first second (a quick load shows no bar),
    /// and completes the bar when the load ends.
    /// </summary>
    private async Task<GenerateChunk> ShowElapsedAsync(Task<GenerateChunk> load, string model, Stopwatch watch, IOperationReporter reporter, CancellationToken ct)
    {
        string activity = $"Loading {model}";
        int shownSeconds = 0;
        using var ticking = CancellationTokenSource.CreateLinkedTokenSource(ct);
        try
        {
            while (!ct.IsCancellationRequested)
            {
                double toNextSecond = shownSeconds + 1 - watch.Elapsed.TotalSeconds;
                Task tick = Task.Delay(TimeSpan.FromMilliseconds(Math.Max(1, Math.Ceiling(toNextSecond * 1000))), ticking.Token);
                if (await Task.WhenAny(load, tick).ConfigureAwait(false) == load || tick.IsCanceled)
                {
                    break;
                }

                int seconds = (int)watch.Elapsed.TotalSeconds;
                if (seconds > shownSeconds)
                {
                    shownSeconds = seconds;
                    reporter.Progress(new OperationProgress(LoadActivity, activity, $"{Elapsed(seconds)} elapsed · {_client.Host}"));
                }
            }

            return await load.ConfigureAwait(false);
        }
        finally
        {
            ticking.Cancel();
            if (shownSeconds > 0)
            {
                reporter.Progress(new OperationProgress(LoadActivity, activity, "Done") { Completed = true });
            }
        }
    }

    private static string Elapsed(int seconds) => seconds < 60 ? $"{seconds} s" : Units.Duration(TimeSpan.FromSeconds(seconds));

    private static string Describe(KeepAlive keepAlive) =>
        keepAlive.Duration is { } d ? Units.Duration(d) : "Forever";
}

/// <summary>How a switch respects the other sessions of this process on the same server.</summary>
public sealed class SwitchCoordination
{
    public SwitchCoordination(SemaphoreSlim @lock, Func<string, bool> heldElsewhere, Action<string> unloaded)
    {
        Lock = @lock;
        HeldElsewhere = heldElsewhere;
        Unloaded = unloaded;
    }

    /// <summary>Held while deciding to unload and unloading, and while another session claims a model.</summary>
    public SemaphoreSlim Lock { get; }

    /// <summary>Whether another session has the model active (or is switching to it).</summary>
    public Func<string, bool> HeldElsewhere { get; }

    /// <summary>Told about each model unloaded.</summary>
    public Action<string> Unloaded { get; }
}
