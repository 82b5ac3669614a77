using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace OllamaSimulator;

/// <summary>
/// Everything the simulated Ollama knows: installed models, the remote library, loaded runners, partially
/// downloaded blobs, the request log and the fault switches. Thread-safe (one lock inside).
/// </summary>
public sealed class SimulatorState
{
    private readonly object _gate = new();
    private readonly List<SimModel> _installed = new();
    private readonly Dictionary<string, SimModel> _remote = new(StringComparer.OrdinalIgnoreCase);
    private readonly List<Runner> _runners = new();
    private readonly Dictionary<string, long> _partialBlobs = new(StringComparer.Ordinal);
    private TimeProvider _time = TimeProvider.System;

    /// <summary>The default fleet (see README.md): seven installed models and a larger remote library.</summary>
    public static SimulatorState CreateDefault() => DefaultFleet.Create();

    /// <summary>The current Ollama release, which the simulator answers as unless told otherwise.</summary>
    public const string CurrentVersion = "0.32.15";

    /// <summary>The environment variable that sets the default fleet's <see cref="Version"/> (e.g. 0.23.0).</summary>
    public const string VersionVariable = "OLLAMA_SIMULATOR_VERSION";

    /// <summary>The older release whose answers the simulator also reproduces (../ollama-captures).</summary>
    public const string LegacyVersion = "0.23.0";

    /// <summary>
    /// What /api/version reports, and which API the simulator answers with: 0.30 and later (the default, 0.32.15) add
    /// capabilities and details.context_length/embedding_length to /api/tags, answer /api/embed on a model without
    /// the embedding capability with 501, and end an answer that is not valid UTF-8 silently; 0.23.0 does none of it.
    /// </summary>
    public string Version { get; set; } = CurrentVersion;

    /// <summary>Whether <see cref="Version"/> is 0.30 or later.</summary>
    public bool IsModern => IsAtLeast(Version, 0, 30);

    internal static bool IsAtLeast(string version, int major, int minor)
    {
        string[] parts = (version ?? string.Empty).TrimStart('v').Split('.', '-');
        if (parts.Length < 2 || !int.TryParse(parts[0], out int ma) || !int.TryParse(parts[1], out int mi))
        {
            return true;
        }

        return ma > major || (ma == major && mi >= minor);
    }

    /// <summary>
    /// Ollama aborts a generation once a token repeats more than this many times in a row (llm/server.go,
    /// tokenRepeat &gt; 30) and ends the stream with no done line; 0 or less turns it off. Only a model whose text
    /// repeats (<see cref="SimModel.RepeatsAfter"/>) reaches it.
    /// </summary>
    public int TokenRepeatLimit { get; set; } = 30;

    public RequestLog Log { get; } = new();

    public FaultSettings Faults { get; } = new();

    /// <summary>The clock used for keep_alive expiry, expires_at, modified_at of new models and created_at.</summary>
    public TimeProvider Time
    {
        get => Volatile.Read(ref _time);
        set => Volatile.Write(ref _time, value ?? TimeProvider.System);
    }

    /// <summary>keep_alive when a request has none (Ollama's OLLAMA_KEEP_ALIVE default, 5 minutes).</summary>
    public TimeSpan DefaultKeepAlive { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>num_ctx when a request has none (Ollama's default on a small GPU, 4096).</summary>
    public int DefaultNumCtx { get; set; } = 4096;

    /// <summary>Concurrent requests one loaded model serves (OLLAMA_NUM_PARALLEL, default 1); others queue.</summary>
    public int NumParallel { get; set; } = 1;

    /// <summary>
    /// OLLAMA_MAX_LOADED_MODELS: loading one more model than this first unloads an idle one (the one expiring
    /// soonest), as Ollama's scheduler does; 0 or less means no limit. Ollama's default is 3 per GPU, 3 on CPU.
    /// </summary>
    public int MaxLoadedModels { get; set; } = 3;

    /// <summary>
    /// The memory models can be loaded into, or null for no limit (the default). A model that does not fit even after
    /// idle models are unloaded fails to load with HTTP 500 {"error":"model requires more system memory (X GiB) than is
    /// available (Y GiB)"} (Ollama's llm/server.go text; sizes in GiB with one decimal, format.HumanBytes2).
    /// </summary>
    public long? SystemMemoryBytes { get; set; }

    /// <summary>
    /// How long /api/show takes to answer (default none). A real Ollama reads the model's GGUF for it: 0.27–0.52 s per
    /// request measured on a 0.32.15 server holding 1,001 models; the benchmark harness sets 0.27 s.
    /// </summary>
    public TimeSpan ShowLatency { get; set; }

    /// <summary>How often a pull reports progress for the blob it downloads.</summary>
    public TimeSpan PullProgressInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>num_predict when a request has none (or -1): generation stops by itself ("stop") after this many tokens.</summary>
    public int DefaultNumPredict { get; set; } = 128;

    // ---------------------------------------------------------------- installed models

    public void AddInstalled(SimModel m)
    {
        ArgumentNullException.ThrowIfNull(m);
        lock (_gate)
        {
            _installed.RemoveAll(x => SameName(x.Name, m.Name));
            _installed.Add(m);
        }
    }

    public bool RemoveInstalled(string name)
    {
        lock (_gate)
        {
            return _installed.RemoveAll(x => SameName(x.Name, name)) > 0;
        }
    }

    /// <summary>Snapshot of the installed models, in insertion order.</summary>
    public IReadOnlyList<SimModel> Installed
    {
        get
        {
            lock (_gate)
            {
                return _installed.ToArray();
            }
        }
    }

    /// <summary>The installed model with this name (tag defaults to latest, case-insensitive), or null.</summary>
    public SimModel? FindInstalled(string name)
    {
        lock (_gate)
        {
            return FindInstalledLocked(name);
        }
    }

    private SimModel? FindInstalledLocked(string name)
    {
        string? key = ModelName.Normalize(name);
        if (key is null)
        {
            return null;
        }

        return _installed.FirstOrDefault(x => SameName(x.Name, key));
    }

    /// <summary>Simulates a re-pull or re-create: the installed model gets a new manifest digest. A runner that is
    /// loaded with the old digest stays (and shows in /api/ps) until it expires, as in Ollama.</summary>
    public void SetDigest(string name, string newDigest)
    {
        lock (_gate)
        {
            SimModel m = FindInstalledLocked(name) ?? throw new KeyNotFoundException($"model '{name}' is not installed");
            m.Digest = newDigest;
            m.ModifiedAt = Time.GetUtcNow();
        }
    }

    // ---------------------------------------------------------------- remote library

    /// <summary>Adds (or replaces) a model in the library that /api/pull and the /v2 registry endpoints serve.</summary>
    public void AddRemote(SimModel m)
    {
        ArgumentNullException.ThrowIfNull(m);
        lock (_gate)
        {
            _remote[m.Name] = m;
        }
    }

    public bool RemoveRemote(string name)
    {
        string key = ModelName.Normalize(name) ?? name;
        lock (_gate)
        {
            return _remote.Remove(key);
        }
    }

    /// <summary>Snapshot of the remote library.</summary>
    public IReadOnlyList<SimModel> Remote
    {
        get
        {
            lock (_gate)
            {
                return _remote.Values.ToArray();
            }
        }
    }

    public SimModel? FindRemote(string name)
    {
        string? key = ModelName.Normalize(name);
        if (key is null)
        {
            return null;
        }

        lock (_gate)
        {
            return _remote.TryGetValue(key, out SimModel? m) ? m : null;
        }
    }

    /// <summary>Publishes a new version of a library model (the registry reports the new digest), which makes the
    /// installed copy "outdated". Adds the model to the library (cloned from the installed one) if needed.</summary>
    public void SetRemoteDigest(string name, string digest)
    {
        string key = ModelName.Normalize(name) ?? throw new ArgumentException("invalid model name", nameof(name));
        lock (_gate)
        {
            if (!_remote.TryGetValue(key, out SimModel? m))
            {
                SimModel installed = FindInstalledLocked(key) ?? throw new KeyNotFoundException($"model '{name}' is neither installed nor in the library");
                m = installed.Clone();
                _remote[key] = m;
            }

            m.Digest = digest;
        }
    }

    // ---------------------------------------------------------------- blobs

    /// <summary>The blobs of a model's manifest: the weights first, then small template/license/params blobs,
    /// the config last. The weights blob only depends on the model, the others also on the manifest digest.</summary>
    public static IReadOnlyList<SimLayer> LayersOf(SimModel m, string? manifestDigest = null)
    {
        manifestDigest ??= m.Digest;
        int count = Math.Max(1, m.LayerCount);
        (string Media, long Size)[] smalls =
        {
            ("application/vnd.ollama.image.template", 1_429),
            ("application/vnd.ollama.image.license", 7_711),
            ("application/vnd.ollama.image.params", 96),
            ("application/vnd.ollama.image.license", 6_016),
            ("application/vnd.ollama.image.system", 120),
            ("application/vnd.ollama.image.projector", 3_140_000),
        };
        var layers = new List<SimLayer>(count);
        long smallTotal = 0;
        for (int i = 1; i < count; i++)
        {
            bool config = i == count - 1;
            (string media, long size) = config ? ("application/vnd.docker.container.image.v1+json", 561) : smalls[(i - 1) % smalls.Length];
            size += (SimModel.Sha256Hex(m.LayerSeed + "|" + i)[0] % 7) * 3; // a little variety
            smallTotal += size;
            layers.Add(new SimLayer(SimModel.Sha256Hex($"{m.LayerSeed}|{manifestDigest}|layer{i}"), size, media));
        }

        long weights = Math.Max(1, m.SizeBytes - smallTotal);
        layers.Insert(0, new SimLayer(SimModel.Sha256Hex($"{m.LayerSeed}|{m.SizeBytes}|weights"), weights, "application/vnd.ollama.image.model"));
        return layers;
    }

    private HashSet<string> InstalledBlobsLocked()
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (SimModel m in _installed)
        {
            foreach (SimLayer l in LayersOf(m))
            {
                set.Add(l.Digest);
            }
        }

        return set;
    }

    /// <summary>How many bytes of a blob are on disk (its size when complete).</summary>
    internal long BlobBytes(SimLayer layer)
    {
        lock (_gate)
        {
            if (InstalledBlobsLocked().Contains(layer.Digest))
            {
                return layer.Size;
            }

            return _partialBlobs.TryGetValue(layer.Digest, out long have) ? Math.Min(have, layer.Size) : 0;
        }
    }

    internal void SetPartial(string digest, long bytes)
    {
        lock (_gate)
        {
            _partialBlobs.TryGetValue(digest, out long have);
            _partialBlobs[digest] = Math.Max(have, bytes);
        }
    }

    /// <summary>Bytes kept from interrupted downloads of this model's library version (0 when none).</summary>
    public long PartialBytes(string name)
    {
        SimModel? remote = FindRemote(name);
        if (remote is null)
        {
            return 0;
        }

        lock (_gate)
        {
            long sum = 0;
            foreach (SimLayer l in LayersOf(remote))
            {
                if (_partialBlobs.TryGetValue(l.Digest, out long have))
                {
                    sum += have;
                }
            }

            return sum;
        }
    }

    /// <summary>What <see cref="RestoreModels"/> goes back to: the default fleet unless the host started otherwise.</summary>
    public Func<SimulatorState> Initial { get; set; } = DefaultFleet.Create;

    /// <summary>
    /// Puts back the installed and library models of <see cref="Initial"/>, unloads every runner and forgets partial
    /// downloads, so one test's installs, removals and loads never reach the next.
    /// </summary>
    public void RestoreModels()
    {
        SimulatorState template = Initial();
        lock (_gate)
        {
            _installed.Clear();
            _installed.AddRange(template._installed);
            _remote.Clear();
            foreach (KeyValuePair<string, SimModel> r in template._remote)
            {
                _remote[r.Key] = r.Value;
            }

            foreach (Runner r in _runners)
            {
                r.Gone = true;
            }

            _runners.Clear();
            _partialBlobs.Clear();
        }
    }

    /// <summary>Forgets every partially downloaded blob.</summary>
    public void ClearPartialDownloads()
    {
        lock (_gate)
        {
            _partialBlobs.Clear();
        }
    }

    /// <summary>Installs a pulled model; returns true when blobs of a previous version were removed.</summary>
    internal bool CompletePull(SimModel remote)
    {
        lock (_gate)
        {
            HashSet<string> before = InstalledBlobsLocked();
            SimModel installed = remote.Clone();
            installed.ModifiedAt = Time.GetUtcNow();
            _installed.RemoveAll(x => SameName(x.Name, installed.Name));
            _installed.Add(installed);
            HashSet<string> after = InstalledBlobsLocked();
            foreach (SimLayer l in LayersOf(installed))
            {
                _partialBlobs.Remove(l.Digest);
            }

            before.ExceptWith(after);
            return before.Count > 0;
        }
    }

    internal bool CopyInstalled(string source, string destination)
    {
        lock (_gate)
        {
            SimModel? src = FindInstalledLocked(source);
            string? dst = ModelName.Normalize(destination);
            if (src is null || dst is null)
            {
                return false;
            }

            SimModel copy = src.Clone(dst);
            copy.ModifiedAt = Time.GetUtcNow();
            _installed.RemoveAll(x => SameName(x.Name, dst));
            _installed.Add(copy);
            return true;
        }
    }

    // ---------------------------------------------------------------- runners (loaded models)

    internal sealed class Runner
    {
        public required SimModel Model { get; init; }

        public required string Name { get; init; }

        public required string Digest { get; init; }

        public long Size { get; init; }

        public long SizeVram { get; init; }

        public int ContextLength { get; init; }

        public DateTimeOffset LoadedAt { get; set; }

        public DateTimeOffset ExpiresAt { get; set; }

        public bool IsLoaded { get; set; }

        public bool Gone { get; set; }

        public bool ExpireWhenIdle { get; set; }

        public int Active { get; set; }

        public required SemaphoreSlim Slots { get; init; }

        public TaskCompletionSource Ready { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public LoadedModel Snapshot() => new(Name, Digest, Size, SizeVram, ExpiresAt, ContextLength, LoadedAt);
    }

    private void PurgeLocked()
    {
        DateTimeOffset now = Time.GetUtcNow();
        for (int i = _runners.Count - 1; i >= 0; i--)
        {
            Runner r = _runners[i];
            if (r.IsLoaded && r.Active == 0 && (r.ExpireWhenIdle || r.ExpiresAt <= now))
            {
                r.Gone = true;
                _runners.RemoveAt(i);
            }
        }
    }

    private static DateTimeOffset Expiry(DateTimeOffset now, TimeSpan keepAlive)
    {
        if (keepAlive < TimeSpan.Zero || keepAlive >= GoDuration.Forever)
        {
            keepAlive = GoDuration.Forever;
        }

        return DateTimeOffset.MaxValue - now <= keepAlive ? DateTimeOffset.MaxValue : now + keepAlive;
    }

    /// <summary>Loaded (fully loaded, non-expired) runners, longest remaining time first (as /api/ps sorts).</summary>
    public IReadOnlyList<LoadedModel> Loaded
    {
        get
        {
            lock (_gate)
            {
                PurgeLocked();
                return _runners
                    .Where(r => r.IsLoaded)
                    .OrderByDescending(r => r.ExpiresAt.ToUnixTimeSeconds())
                    .Select(r => r.Snapshot())
                    .ToArray();
            }
        }
    }

    internal IReadOnlyList<(LoadedModel Loaded, SimModel Model)> LoadedWithModels()
    {
        lock (_gate)
        {
            PurgeLocked();
            return _runners
                .Where(r => r.IsLoaded)
                .OrderByDescending(r => r.ExpiresAt.ToUnixTimeSeconds())
                .Select(r => (r.Snapshot(), r.Model))
                .ToArray();
        }
    }

    /// <summary>Marks a model as loaded right away (no load time), e.g. to prepare a test.</summary>
    public LoadedModel MarkLoaded(string name, TimeSpan? keepAlive = null, int? contextLength = null)
    {
        SimModel m = FindInstalled(name) ?? throw new KeyNotFoundException($"model '{name}' is not installed");
        lock (_gate)
        {
            PurgeLocked();
            int ctx = EffectiveContext(m, contextLength);
            _runners.RemoveAll(r => r.IsLoaded && r.Active == 0 && SameName(r.Name, m.Name) && r.Digest == m.Digest);
            DateTimeOffset now = Time.GetUtcNow();
            var r = NewRunner(m, ctx);
            r.IsLoaded = true;
            r.LoadedAt = now;
            r.ExpiresAt = Expiry(now, keepAlive ?? DefaultKeepAlive);
            r.Ready.TrySetResult();
            _runners.Add(r);
            return r.Snapshot();
        }
    }

    /// <summary>Unloads every runner.</summary>
    public void UnloadAll()
    {
        lock (_gate)
        {
            foreach (Runner r in _runners)
            {
                r.ExpireWhenIdle = true;
            }

            PurgeLocked();
        }
    }

    internal int EffectiveContext(SimModel m, int? requested)
    {
        int ctx = requested is > 0 ? requested.Value : DefaultNumCtx;
        if (m.ContextLength > 0 && ctx > m.ContextLength)
        {
            ctx = m.ContextLength;
        }

        return ctx;
    }

    private Runner NewRunner(SimModel m, int ctx) => new()
    {
        Model = m,
        Name = m.Name,
        Digest = m.Digest,
        Size = m.SizeBytes,
        SizeVram = (long)Math.Round(m.SizeBytes * Math.Clamp(m.VramFraction, 0, 1)),
        ContextLength = ctx,
        Slots = new SemaphoreSlim(Math.Max(1, NumParallel)),
    };

    /// <summary>Schedules a runner for <paramref name="m"/> (loading it when needed) and takes a reference on it.
    /// Returns whether this request had to wait for a load.</summary>
    internal async Task<(Runner Runner, bool Cold)> AcquireRunnerAsync(SimModel m, int? numCtx, TimeSpan keepAlive, CancellationToken ct)
    {
        Runner r;
        bool cold;
        lock (_gate)
        {
            PurgeLocked();
            int ctx = EffectiveContext(m, numCtx);
            Runner? existing = _runners.FirstOrDefault(x => !x.Gone && SameName(x.Name, m.Name) && x.Digest == m.Digest && !x.ExpireWhenIdle);
            if (existing is not null && existing.ContextLength != ctx && existing.Active == 0 && existing.IsLoaded)
            {
                // Different runner options: Ollama reloads the model.
                existing.Gone = true;
                _runners.Remove(existing);
                existing = null;
            }

            if (existing is null)
            {
                MakeRoomLocked(m);
                r = NewRunner(m, ctx);
                _runners.Add(r);
                TimeSpan load = m.LoadTime + Faults.ColdLoadExtra;
                _ = LoadAsync(r, load, keepAlive);
            }
            else
            {
                r = existing;
            }

            cold = !r.IsLoaded;
            r.Active++;
            if (r.IsLoaded)
            {
                r.ExpiresAt = Expiry(Time.GetUtcNow(), keepAlive);
            }
        }

        try
        {
            await r.Ready.Task.WaitAsync(ct).ConfigureAwait(false);
            await r.Slots.WaitAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            Release(r, keepAlive, slotTaken: false);
            throw;
        }

        return (r, cold);
    }

    /// <summary>
    /// Before a new runner: unloads idle runners (soonest expiry first) while the loaded count would exceed
    /// <see cref="MaxLoadedModels"/> or the model would not fit in <see cref="SystemMemoryBytes"/>; throws Ollama's
    /// 500 when it still does not fit.
    /// </summary>
    private void MakeRoomLocked(SimModel m)
    {
        long need = m.SizeBytes;
        long Used() => _runners.Where(x => !x.Gone).Sum(x => x.Size);
        bool TooMany() => MaxLoadedModels > 0 && _runners.Count(x => !x.Gone) >= MaxLoadedModels;
        bool TooBig() => SystemMemoryBytes is { } total && need > total - Used();
        while (TooMany() || TooBig())
        {
            Runner? idle = _runners.Where(x => !x.Gone && x.IsLoaded && x.Active == 0).OrderBy(x => x.ExpiresAt).FirstOrDefault();
            if (idle is null)
            {
                break;
            }

            idle.Gone = true;
            _runners.Remove(idle);
        }

        if (TooBig())
        {
            long available = Math.Max(0, SystemMemoryBytes!.Value - Used());
            throw new ApiError(500, $"model requires more system memory ({HumanBytes2(need)}) than is available ({HumanBytes2(available)})");
        }
    }

    /// <summary>Ollama's format.HumanBytes2: binary units with one decimal.</summary>
    internal static string HumanBytes2(long b)
    {
        const double KiB = 1024, MiB = KiB * 1024, GiB = MiB * 1024;
        return b switch
        {
            >= (long)GiB => (b / GiB).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " GiB",
            >= (long)MiB => (b / MiB).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " MiB",
            >= (long)KiB => (b / KiB).ToString("0.0", System.Globalization.CultureInfo.InvariantCulture) + " KiB",
            _ => b.ToString(System.Globalization.CultureInfo.InvariantCulture) + " B",
        };
    }

    private async Task LoadAsync(Runner r, TimeSpan load, TimeSpan keepAlive)
    {
        if (load > TimeSpan.Zero)
        {
            await Task.Delay(load).ConfigureAwait(false);
        }

        lock (_gate)
        {
            DateTimeOffset now = Time.GetUtcNow();
            r.IsLoaded = true;
            r.LoadedAt = now;
            r.ExpiresAt = Expiry(now, keepAlive);
        }

        r.Ready.TrySetResult();
    }

    internal void Release(Runner r, TimeSpan keepAlive, bool slotTaken = true)
    {
        if (slotTaken)
        {
            r.Slots.Release();
        }

        lock (_gate)
        {
            r.Active--;
            if (r.IsLoaded)
            {
                r.ExpiresAt = Expiry(Time.GetUtcNow(), keepAlive);
                if (keepAlive == TimeSpan.Zero)
                {
                    r.ExpireWhenIdle = true;
                }
            }

            PurgeLocked();
        }
    }

    /// <summary>keep_alive 0 with an empty prompt: Ollama's expireRunner for the model's current version.</summary>
    internal void ExpireRunner(SimModel m)
    {
        lock (_gate)
        {
            foreach (Runner r in _runners)
            {
                if (SameName(r.Name, m.Name) && r.Digest == m.Digest)
                {
                    r.ExpireWhenIdle = true;
                    if (r.IsLoaded)
                    {
                        r.ExpiresAt = Time.GetUtcNow();
                    }
                }
            }

            PurgeLocked();
        }
    }

    internal static bool SameName(string a, string b)
    {
        string na = ModelName.Normalize(a) ?? a;
        string nb = ModelName.Normalize(b) ?? b;
        return string.Equals(na, nb, StringComparison.OrdinalIgnoreCase);
    }
}
