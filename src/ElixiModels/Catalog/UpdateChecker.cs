using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Catalog;

/// <summary>The outcome of comparing one installed model with the registry.</summary>
public enum UpdateStatus
{
    UpToDate,
    /// <summary>The registry's digest differs from the installed one: an update is available.</summary>
    Outdated,
    /// <summary>The registry has no such model or tag (created locally, or removed upstream).</summary>
    NotInRegistry,
    /// <summary>Not comparable: a cloud model, or a name the registry cannot hold.</summary>
    Skipped,
    /// <summary>The registry could not be asked (offline, timeout, error).</summary>
    Failed,
}

/// <summary>One installed model compared with the registry.</summary>
public sealed class UpdateCheck
{
    public UpdateCheck(string name, string localDigest, UpdateStatus status, string? remoteDigest = null, string? problem = null)
    {
        Name = name;
        LocalDigest = localDigest;
        Status = status;
        RemoteDigest = remoteDigest;
        Problem = problem;
    }

    public string Name { get; }
    public string LocalDigest { get; }
    public UpdateStatus Status { get; }
    public string? RemoteDigest { get; }

    /// <summary>Why the check failed or was skipped.</summary>
    public string? Problem { get; }
}

/// <summary>
/// Finds installed models whose registry version differs from the local one by comparing the local manifest digest
/// (/api/tags) with the registry's, a few requests at a time.
/// </summary>
public sealed class UpdateChecker
{
    private readonly RegistryClient _registry;
    private readonly int _parallelism;

    public UpdateChecker(RegistryClient registry, int parallelism = 4)
    {
        _registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _parallelism = Math.Max(1, parallelism);
    }

    public string Registry => _registry.Display;

    /// <summary>Checks every model; the results come back in the input's order and never throw for one model's failure.</summary>
    public async Task<IReadOnlyList<UpdateCheck>> CheckAsync(IEnumerable<WireModel> installed, CancellationToken ct)
    {
        using var gate = new SemaphoreSlim(_parallelism);
        IEnumerable<Task<UpdateCheck>> checks = installed.Select(async model =>
        {
            await gate.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                return await CheckOneAsync(model, ct).ConfigureAwait(false);
            }
            finally
            {
                gate.Release();
            }
        }).ToList();
        return await Task.WhenAll(checks).ConfigureAwait(false);
    }

    private async Task<UpdateCheck> CheckOneAsync(WireModel model, CancellationToken ct)
    {
        string local = RegistryClient.NormalizeDigest(model.Digest ?? string.Empty);
        if (!ModelName.TryParse(model.Name, out ModelName? name, out string? problem))
        {
            return new UpdateCheck(model.Name, local, UpdateStatus.Skipped, problem: problem);
        }

        if (model.IsCloud)
        {
            return new UpdateCheck(name!.FullName, local, UpdateStatus.Skipped, problem: "a cloud model runs remotely and has no local version");
        }

        if (name!.RegistryHost is not null)
        {
            // Only the configured registry is asked; a model from another registry (hf.co/…) is not sent there.
            return new UpdateCheck(name.FullName, local, UpdateStatus.Skipped, problem: $"it comes from {name.RegistryHost}, not {Registry}");
        }

        try
        {
            string? remote = await _registry.GetDigestAsync(name, ct).ConfigureAwait(false);
            if (remote is null)
            {
                return new UpdateCheck(name.FullName, local, UpdateStatus.NotInRegistry);
            }

            return new UpdateCheck(name.FullName, local, string.Equals(remote, local, StringComparison.OrdinalIgnoreCase) ? UpdateStatus.UpToDate : UpdateStatus.Outdated, remote);
        }
        catch (OllamaException ex)
        {
            return new UpdateCheck(name.FullName, local, UpdateStatus.Failed, problem: RegistryProblem(ex));
        }
    }

    private string RegistryProblem(OllamaException ex) => ex.Kind switch
    {
        OllamaErrorKind.Unreachable or OllamaErrorKind.ConnectionLost => $"cannot reach {Registry} ({Inner(ex)})",
        OllamaErrorKind.Timeout => $"{Registry} did not answer in time",
        OllamaErrorKind.Unauthorized => $"{Registry} refused the request (HTTP {ex.StatusCode})",
        _ => $"{Registry} answered with an error ({ex.ServerMessage ?? ex.Message})",
    };

    private static string Inner(Exception ex)
    {
        Exception root = ex;
        while (root.InnerException is not null)
        {
            root = root.InnerException;
        }

        return root.Message;
    }
}
