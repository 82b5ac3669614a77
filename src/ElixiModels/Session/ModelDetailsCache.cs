using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Session;

/// <summary>
/// /api/show results in the session cache, keyed by manifest digest: a model re-pulled under a new digest misses
/// and is read again (its old entry is dropped). Many look-ups run with bounded concurrency.
/// </summary>
public sealed class ModelDetailsCache
{
    /// <summary>At most this many /api/show requests per server at once.</summary>
    public const int MaxConcurrency = 4;

    private readonly SessionCache _cache;
    private readonly ConcurrentDictionary<string, string> _keyByModel = new(StringComparer.OrdinalIgnoreCase);

    public ModelDetailsCache(SessionCache cache) => _cache = cache;

    /// <summary>The details of <paramref name="model"/> (manifest <paramref name="digest"/>) on the client's server.</summary>
    public async Task<ModelDetails> GetAsync(OllamaClient client, string model, string digest, bool refresh, CancellationToken ct) =>
        (await LookUpAsync(client, model, digest, refresh, ct).ConfigureAwait(false)).Details;

    private async Task<(ModelDetails Details, bool FromCache)> LookUpAsync(OllamaClient client, string model, string digest, bool refresh, CancellationToken ct)
    {
        string key = Key(client.Host, model, digest);
        if (!refresh && _cache.TryGet(key, out ModelDetails cached))
        {
            return (cached, true);
        }

        WireShow show = await client.ShowAsync(model, ct).ConfigureAwait(false);
        ModelDetails details = ModelDetails.FromShow(show, digest);
        _cache.Set(key, details);
        string modelKey = client.Host + "|" + ModelName.Normalize(model);
        if (_keyByModel.TryGetValue(modelKey, out string? previous) && previous != key)
        {
            _cache.Remove(previous);
        }

        _keyByModel[modelKey] = key;
        return (details, false);
    }

    /// <summary>
    /// Details for many models, at most <see cref="MaxConcurrency"/> requests at a time; models sharing a digest
    /// (copies) are read once. Each result carries the details or the failure for that model.
    /// </summary>
    /// <param name="client">The server.</param>
    /// <param name="models">The models, as /api/tags lists them.</param>
    /// <param name="refresh">Read again even what the session cache holds.</param>
    /// <param name="ct">Cancels the reads.</param>
    /// <param name="onProgress">Told (done, total) after each model, from the thread that finished it.</param>
    public async Task<IReadOnlyList<DetailsResult>> GetManyAsync(OllamaClient client, IReadOnlyList<WireModel> models, bool refresh, CancellationToken ct,
        Action<int, int>? onProgress = null)
    {
        int done = 0;
        using var gate = new SemaphoreSlim(MaxConcurrency);
        var shared = new ConcurrentDictionary<string, Lazy<Task<(ModelDetails Details, bool FromCache)>>>(StringComparer.Ordinal);
        Task<DetailsResult>[] tasks = models.Select(async m =>
        {
            string key = Key(client.Host, m.Name, m.Digest);
            Lazy<Task<(ModelDetails Details, bool FromCache)>> lookup = shared.GetOrAdd(key, _ => new Lazy<Task<(ModelDetails Details, bool FromCache)>>(async () =>
            {
                await gate.WaitAsync(ct).ConfigureAwait(false);
                try
                {
                    return await LookUpAsync(client, m.Name, m.Digest, refresh, ct).ConfigureAwait(false);
                }
                finally
                {
                    gate.Release();
                }
            }));
            try
            {
                (ModelDetails details, bool fromCache) = await lookup.Value.ConfigureAwait(false);
                return new DetailsResult(m, details, null) { FromCache = fromCache };
            }
            catch (OllamaException ex)
            {
                return new DetailsResult(m, null, ex);
            }
            finally
            {
                onProgress?.Invoke(Interlocked.Increment(ref done), models.Count);
            }
        }).ToArray();
        return await Task.WhenAll(tasks).ConfigureAwait(false);
    }

    private static string Key(string host, string model, string digest) =>
        string.IsNullOrEmpty(digest)
            ? "details:" + host.ToLowerInvariant() + "|" + ModelName.Normalize(model).ToLowerInvariant()
            : "details:" + digest.ToLowerInvariant();
}

/// <summary>One model's details, or why they could not be read.</summary>
public sealed class DetailsResult
{
    public DetailsResult(WireModel model, ModelDetails? details, OllamaException? error)
    {
        Model = model;
        Details = details;
        Error = error;
    }

    public WireModel Model { get; }
    public ModelDetails? Details { get; }
    public OllamaException? Error { get; }

    /// <summary>The details came from the session cache (no request was made).</summary>
    public bool FromCache { get; init; }

    /// <summary>For -Verbose: how many details came from the session cache and how many were read from the server.</summary>
    public static string Describe(IReadOnlyCollection<DetailsResult> results, string host)
    {
        int cached = results.Count(r => r.FromCache);
        int failed = results.Count(r => r.Error is not null);
        return $"Details of {results.Count} model(s) on {host}: {cached} from the session cache, {results.Count - cached - failed} read with /api/show" +
            (failed > 0 ? $", {failed} could not be read." : ".");
    }
}
