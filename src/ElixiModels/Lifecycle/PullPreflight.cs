using System;
using System.IO;
using System.Linq;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Catalog;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Resources;

namespace ElixiModels.Lifecycle;

/// <summary>What a pull would need, known before it starts. Sizes in bytes; null where unknown.</summary>
public sealed class PullPlan
{
    public string Name { get; internal init; } = string.Empty;

    /// <summary>The registry manifest's layers, all together.</summary>
    public long? TotalBytes { get; internal init; }

    /// <summary>The layers the server does not have yet: what the pull downloads.</summary>
    public long? DownloadBytes { get; internal init; }

    /// <summary>The registry manifest's blobs (config included), each of which the pull reports.</summary>
    public int? LayerCount { get; internal init; }

    /// <summary>Where a server on this machine keeps models (OLLAMA_MODELS, else Ollama's default); null for another machine.</summary>
    public string? ModelStore { get; internal init; }

    /// <summary>Free space of the model store's disk.</summary>
    public long? FreeDiskBytes { get; internal init; }

    /// <summary>Memory the model needs loaded at the default context: the catalog's architecture plan, else its size + 20 %.</summary>
    public long? MemoryNeededBytes { get; internal init; }

    /// <summary>What this machine can give a model (free RAM + free VRAM − 1 GiB + loaded models).</summary>
    public long? MemoryAvailableBytes { get; internal init; }

    /// <summary>Why the registry facts are missing, if they are.</summary>
    public string? RegistryProblem { get; internal init; }

    /// <summary>False when the download is known not to fit the free disk space.</summary>
    public bool? FitsDisk => DownloadBytes is { } d && FreeDiskBytes is { } f ? d <= f : null;

    /// <summary>False when the model is known not to fit this machine's memory.</summary>
    public bool? FitsMemory => MemoryNeededBytes is { } n && MemoryAvailableBytes is { } a ? n <= a : null;

    /// <summary>The three facts in a few words, for -WhatIf and confirmation.</summary>
    public string Describe()
    {
        string download = DownloadBytes is { } d
            ? TotalBytes is { } t && t != d ? $"download {Units.Bytes(d)} of {Units.Bytes(t)} (the rest is on the server)" : $"download {Units.Bytes(d)}"
            : "download size unknown" + (RegistryProblem is null ? string.Empty : $" ({RegistryProblem})");
        string disk = ModelStore is null
            ? "disk: unknown (the server is another machine)"
            : FreeDiskBytes is { } f ? $"disk: {Units.Bytes(f)} free in {ModelStore}" + (FitsDisk == false ? " - NOT ENOUGH" : string.Empty) : $"disk: unknown ({ModelStore})";
        string memory = MemoryAvailableBytes is null
            ? "memory: unknown (the server is another machine)"
            : MemoryNeededBytes is { } n ? $"memory: needs about {Units.Bytes(n)}, {Units.Bytes(MemoryAvailableBytes.Value)} available" + (FitsMemory == false ? " - does not fit" : string.Empty) : "memory: unknown";
        return string.Join("; ", download, disk, memory);
    }
}

/// <summary>
/// The pre-flight of a pull: the download size from the registry manifest (minus the blobs the server already has,
/// HEAD /api/blobs), the free disk space of the model store when the server is on this machine, and whether the
/// model fits this machine's memory at the default context.
/// </summary>
public static class PullPreflight
{
    public const string ModelsVariable = "OLLAMA_MODELS";

    /// <summary>
    /// Where an Ollama server on this machine keeps its models: $env:OLLAMA_MODELS, else Ollama's default,
    /// ~/.ollama/models (%USERPROFILE%\.ollama\models on Windows); on Linux the system service's
    /// /usr/share/ollama/.ollama/models when only that one exists.
    /// </summary>
    public static string ModelStorePath()
    {
        string? configured = Environment.GetEnvironmentVariable(ModelsVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return configured!.Trim();
        }

        string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
        string user = Path.Combine(home, ".ollama", "models");
        const string service = "/usr/share/ollama/.ollama/models";
        return !Directory.Exists(user) && RuntimeInformation.IsOSPlatform(OSPlatform.Linux) && Directory.Exists(service) ? service : user;
    }

    /// <summary>Free bytes on the disk holding <paramref name="path"/> (or its nearest existing parent); null when unreadable.</summary>
    public static long? FreeSpace(string path)
    {
        try
        {
            string? dir = Path.GetFullPath(path);
            while (dir is not null && !Directory.Exists(dir))
            {
                dir = Path.GetDirectoryName(dir);
            }

            if (dir is null)
            {
                return null;
            }

            string root = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? Path.GetPathRoot(dir)! : dir;
            return new DriveInfo(root).AvailableFreeSpace;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException or System.Security.SecurityException)
        {
            return null;
        }
    }

    /// <summary>The bytes of <paramref name="manifest"/>'s layers the server does not have (HEAD /api/blobs): what a pull downloads.</summary>
    public static async Task<long> MissingBytesAsync(OllamaClient client, RegistryManifest manifest, CancellationToken ct)
    {
        long missing = 0;
        foreach (RegistryLayer layer in manifest.Layers)
        {
            bool present;
            try
            {
                present = await client.BlobExistsAsync(layer.Digest, ct).ConfigureAwait(false);
            }
            catch (OllamaException)
            {
                present = false;
            }

            missing += present ? 0 : layer.Size;
        }

        return missing;
    }

    /// <summary>Plans the pull of <paramref name="name"/> onto the client's server. Never throws for missing facts: they stay null.</summary>
    public static async Task<PullPlan> PlanAsync(ServerInventory inventory, RegistryClient registry, ModelName name, IHostResourceProbe probe, CancellationToken ct)
    {
        OllamaClient client = inventory.Client;
        RegistryManifest? manifest = null;
        string? problem = null;
        try
        {
            manifest = await registry.GetManifestAsync(name, ct).ConfigureAwait(false);
            problem = manifest is null ? $"the registry {registry.Display} does not know it" : null;
        }
        catch (OllamaException ex)
        {
            problem = $"the registry {registry.Display} could not be asked: {ex.Message}";
        }

        long? download = manifest is null ? null : await MissingBytesAsync(client, manifest, ct).ConfigureAwait(false);

        bool local = inventory.IsLocal;
        string? store = local ? ModelStorePath() : null;
        CatalogEntry? entry = ModelCatalog.Default.Find(name.FullName);
        long? total = manifest?.SizeBytes ?? (entry is { SizeBytes: > 0 } ? entry.SizeBytes : null);
        // At the default context, by the same plan as Get-OllamaModel -Available (architecture facts, else size + 20 %).
        long? needed = total is { } weights ? ModelCatalog.Default.PlanMemory(entry, weights, null, null).TotalBytes : null;
        long? budget = null;
        if (local)
        {
            try
            {
                budget = MemoryFit.Budget(await probe.ReadAsync(ct).ConfigureAwait(false));
                // Ollama evicts idle models to make room: what they hold counts too, asked only when it can change the answer.
                if (needed > budget)
                {
                    await inventory.ReadRunningAsync(ct).ConfigureAwait(false);
                    budget += inventory.Running.Sum(m => m.Size);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                budget = null;
            }
        }

        return new PullPlan
        {
            Name = name.FullName,
            TotalBytes = manifest?.SizeBytes,
            DownloadBytes = download,
            LayerCount = manifest?.Layers.Count,
            ModelStore = store,
            FreeDiskBytes = store is null ? null : FreeSpace(store),
            MemoryNeededBytes = needed,
            MemoryAvailableBytes = budget,
            RegistryProblem = problem,
        };
    }
}
