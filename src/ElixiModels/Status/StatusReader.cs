using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Reporting;
using ElixiModels.Resources;
using ElixiModels.Session;

namespace ElixiModels.Status;

/// <summary>
/// Gathers the status of one server: version and loaded models in parallel with the host resources; then the
/// active model's capabilities (session cache) and benchmark. A server that does not answer yields a status
/// with ServerUnreachable and the host resources — never an exception; what is missing is reported as a warning.
/// </summary>
public sealed class StatusReader
{
    private readonly SessionContext _session;
    private readonly IHostResourceProbe _probe;

    public StatusReader(SessionContext session, IHostResourceProbe probe)
    {
        _session = session;
        _probe = probe;
    }

    public async Task<OllamaStatus> ReadAsync(OllamaClient client, IOperationReporter reporter, CancellationToken ct)
    {
        reporter ??= NullOperationReporter.Instance;
        Task<(HostResources? Resources, string? Problem)> resources = ReadResourcesAsync(ct);
        Task<string> version = client.GetVersionAsync(ct);
        Task<IReadOnlyList<WireRunningModel>> running = client.ListRunningAsync(ct);
        var facts = new StatusFacts
        {
            Host = client.Host,
            SwitchedModel = _session.GetActiveModel(client.Host),
            WhyNotLoaded = () => _session.WhyNotLoaded(client.Host),
            Benchmark = model => _session.GetBenchmark(client.Host, model),
            IsLocalServer = OllamaEndpoint.IsLocal(client.Endpoint),
        };

        try
        {
            facts.Version = await version.ConfigureAwait(false);
        }
        catch (OllamaException ex)
        {
            facts.ServerError = ex.Message;
            reporter.Warning($"Ollama at {client.Host} is not reachable ({ex.Message}); the status shows this machine's resources only.");
            Observe(running);
        }

        if (facts.Reachable)
        {
            try
            {
                DateTimeOffset now = DateTimeOffset.UtcNow;
                facts.Loaded = (await running.ConfigureAwait(false)).Select(r => OllamaRunningModel.FromWire(r, client.Host, now)).ToList();
            }
            catch (OllamaException ex)
            {
                reporter.Warning($"Could not read the loaded models from {client.Host}: {ex.Message}");
            }

            (string? active, _) = StatusBuilder.PickActive(facts.SwitchedModel, facts.Loaded);
            if (active is not null)
            {
                facts.Capabilities = await CapabilitiesAsync(client, active, facts.Loaded, reporter, ct).ConfigureAwait(false);
            }
        }

        (facts.Resources, string? problem) = await resources.ConfigureAwait(false);
        if (problem is not null)
        {
            reporter.Warning(problem);
        }

        facts.Cache = _session.Cache.GetStatistics();
        facts.ReadAt = DateTimeOffset.UtcNow;
        return StatusBuilder.Build(facts);
    }

    private async Task<IReadOnlyList<string>> CapabilitiesAsync(OllamaClient client, string model, IReadOnlyList<OllamaRunningModel> loaded,
        IOperationReporter reporter, CancellationToken ct)
    {
        try
        {
            string? digest = loaded.FirstOrDefault(m => ModelName.SameModel(m.Name, model))?.Digest;
            if (string.IsNullOrEmpty(digest))
            {
                IReadOnlyList<WireModel> installed = await client.ListInstalledAsync(ct).ConfigureAwait(false);
                digest = installed.FirstOrDefault(m => ModelName.SameModel(m.Name, model))?.Digest;
                if (digest is null)
                {
                    reporter.Warning($"The active model {model} is no longer installed on {client.Host}.");
                    return Array.Empty<string>();
                }
            }

            ModelDetails details = await _session.Details.GetAsync(client, model, digest!, refresh: false, ct).ConfigureAwait(false);
            return details.Capabilities;
        }
        catch (OllamaException ex)
        {
            reporter.Warning($"Could not read the capabilities of {model} from {client.Host}: {ex.Message}");
            return Array.Empty<string>();
        }
    }

    private async Task<(HostResources?, string?)> ReadResourcesAsync(CancellationToken ct)
    {
        try
        {
            return (await _probe.ReadAsync(ct).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return (null, $"Could not read this machine's resources: {ex.Message}");
        }
    }

    private static void Observe(Task task) => task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
}
