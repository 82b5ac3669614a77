using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;

namespace ElixiModels.Ollama;

/// <summary>
/// What one server has: its installed models (/api/tags) and, when asked, its loaded ones (/api/ps), read once per
/// command and server and resolved against the names a user typed with the one name rule. Every cmdlet that lists,
/// matches or reports missing models goes through here.
/// </summary>
public sealed class ServerInventory
{
    private static readonly IReadOnlyList<WireRunningModel> NoneRunning = Array.Empty<WireRunningModel>();
    private IReadOnlyList<WireModel> _installed;
    private IReadOnlyList<WireRunningModel>? _running;

    private ServerInventory(OllamaClient client, IReadOnlyList<WireModel> installed)
    {
        Client = client;
        _installed = installed;
    }

    public OllamaClient Client { get; }

    /// <summary>The server as every output object's Host shows it.</summary>
    public string Host => Client.Host;

    /// <summary>Whether the server runs on this machine, so this machine's memory, disk and GPUs are its own.</summary>
    public bool IsLocal => OllamaEndpoint.IsLocal(Client.Endpoint);

    /// <summary>The installed models, as /api/tags last listed them (newest first, as Ollama sorts them).</summary>
    public IReadOnlyList<WireModel> Installed => _installed;

    /// <summary>The installed names, normalised (name:tag, without "library/").</summary>
    public IReadOnlyList<string> InstalledNames => _installed.Select(m => ModelName.Normalize(m.Name)).ToList();

    /// <summary>The loaded models; empty until <see cref="ReadRunningAsync"/> ran, or when /api/ps failed.</summary>
    public IReadOnlyList<WireRunningModel> Running => _running ?? NoneRunning;

    /// <summary>Why <see cref="Running"/> may be incomplete (/api/ps failed), or null.</summary>
    public string? RunningProblem => RunningFailure?.Message;

    /// <summary>The failure of /api/ps, or null.</summary>
    public OllamaException? RunningFailure { get; private set; }

    /// <summary>The normalised names of the loaded models.</summary>
    public ISet<string> LoadedNames => new HashSet<string>(Running.Select(r => ModelName.Normalize(r.Name)), StringComparer.OrdinalIgnoreCase);

    /// <summary>Reads /api/tags (and /api/ps alongside when <paramref name="withRunning"/>); a failed /api/tags throws.</summary>
    public static async Task<ServerInventory> ReadAsync(OllamaClient client, bool withRunning, CancellationToken ct)
    {
        Task<IReadOnlyList<WireRunningModel>>? ps = withRunning ? client.ListRunningAsync(ct) : null;
        IReadOnlyList<WireModel> installed;
        try
        {
            installed = await client.ListInstalledAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            if (ps is not null)
            {
                _ = ps.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            }

            throw;
        }

        var inventory = new ServerInventory(client, installed);
        if (ps is not null)
        {
            await inventory.SetRunningAsync(ps).ConfigureAwait(false);
        }

        return inventory;
    }

    /// <summary>Reads /api/ps once (later calls reuse it); a failure leaves <see cref="Running"/> empty and says why in <see cref="RunningProblem"/>.</summary>
    public Task ReadRunningAsync(CancellationToken ct) => _running is not null ? Task.CompletedTask : SetRunningAsync(Client.ListRunningAsync(ct));

    /// <summary>Lists the installed models again (after a pull or a delete changed them).</summary>
    public async Task RefreshInstalledAsync(CancellationToken ct) =>
        _installed = await Client.ListInstalledAsync(ct).ConfigureAwait(false);

    /// <summary>The installed model <paramref name="name"/> names exactly (a missing tag means latest), or null.</summary>
    public WireModel? Find(string name) => _installed.FirstOrDefault(m => ModelName.SameModel(m.Name, name));

    /// <summary>The installed models each of <paramref name="names"/> means (see <see cref="NameResolution{T}"/>).</summary>
    public NameResolution<WireModel> Resolve(IEnumerable<string> names) => NameResolution<WireModel>.Of(names, _installed, m => m.Name);

    /// <summary>The loaded models each of <paramref name="names"/> means; read /api/ps first.</summary>
    public NameResolution<WireRunningModel> ResolveLoaded(IEnumerable<string> names) => NameResolution<WireRunningModel>.Of(names, Running, m => m.Name);

    private async Task SetRunningAsync(Task<IReadOnlyList<WireRunningModel>> ps)
    {
        try
        {
            _running = await ps.ConfigureAwait(false);
            RunningFailure = null;
        }
        catch (OllamaException ex)
        {
            _running = NoneRunning;
            RunningFailure = ex;
        }
    }
}

/// <summary>
/// What each typed name means among a server's models, by the one name rule: a wildcard matches full names and names
/// without the tag; a name with a tag matches that model only; a bare name means name:latest when installed, else
/// every tag of it (<see cref="ModelName.Resolve"/>). An empty list means every model.
/// </summary>
public sealed class NameResolution<T>
    where T : class
{
    // The wire types have no Equals of their own: the set holds the very objects the server's list holds.
    private readonly HashSet<T> _members;

    private NameResolution(IReadOnlyList<NameMatch<T>> perName, IReadOnlyList<T> models)
    {
        _members = new HashSet<T>(models);
        PerName = perName;
        Models = models;
    }

    /// <summary>Each typed name with what it matched, in the order typed.</summary>
    public IReadOnlyList<NameMatch<T>> PerName { get; }

    /// <summary>Every matched model once, in the order the names were typed (the server's order within one name).</summary>
    public IReadOnlyList<T> Models { get; }

    /// <summary>Literal names (no wildcards) that matched nothing.</summary>
    public IEnumerable<string> Unmatched => PerName.Where(p => !p.IsPattern && p.Models.Count == 0).Select(p => p.Name);

    /// <summary>Whether the model is one of <see cref="Models"/>.</summary>
    public bool Contains(T model) => _members.Contains(model);

    internal static NameResolution<T> Of(IEnumerable<string> names, IReadOnlyList<T> items, Func<T, string> nameOf)
    {
        List<string> typed = names.ToList();
        if (typed.Count == 0)
        {
            return new NameResolution<T>(Array.Empty<NameMatch<T>>(), items);
        }

        var perName = new List<NameMatch<T>>();
        var models = new List<T>();
        var seen = new HashSet<T>();
        List<string> all = items.Select(nameOf).ToList();
        foreach (string name in typed)
        {
            var filter = new ModelNameFilter(new[] { name }).ResolveBareNames(all);
            List<T> matches = items.Where(i => filter.Matches(ModelName.Normalize(nameOf(i)))).ToList();
            perName.Add(new NameMatch<T>(name, ModelNameFilter.IsPattern(name), matches));
            models.AddRange(matches.Where(seen.Add));
        }

        return new NameResolution<T>(perName, models);
    }
}

/// <summary>One typed name and the models it matched.</summary>
public sealed class NameMatch<T>
{
    public NameMatch(string name, bool isPattern, IReadOnlyList<T> models)
    {
        Name = name;
        IsPattern = isPattern;
        Models = models;
    }

    public string Name { get; }

    public bool IsPattern { get; }

    public IReadOnlyList<T> Models { get; }
}
