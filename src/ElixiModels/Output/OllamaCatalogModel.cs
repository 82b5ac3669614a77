using System;
using System.Collections.Generic;

namespace ElixiModels.Models;

/// <summary>A model that can be downloaded (Get-OllamaModel -Available): from the shipped catalog and/or the live registry.</summary>
public sealed class OllamaCatalogModel
{
    /// <summary>Full name with tag, e.g. qwen2.5-coder:7b. Binds to Install-OllamaModel -Name.</summary>
    public string Name { get; internal init; } = string.Empty;

    /// <summary>Name without the tag.</summary>
    public string Model { get; internal init; } = string.Empty;

    public string Tag { get; internal init; } = string.Empty;
    public string Description { get; internal init; } = string.Empty;
    public string? Family { get; internal init; }
    /// <summary>Number of parameters (14B is 14000000000); the format view shows it as 14B.</summary>
    public long? ParameterSize => ParameterCount;

    /// <summary>The same number as <see cref="ParameterSize"/>.</summary>
    public long? ParameterCount { get; internal init; }

    /// <summary>The catalog's own text for the parameter count ("14B").</summary>
    internal string? ParameterSizeText { get; init; }
    public string? Quantization { get; internal init; }

    /// <summary>
    /// Download size in bytes: exact when the registry answered, approximate from the catalog otherwise. Shown in
    /// binary units (1 GiB = PowerShell's 1GB), the unit -MaxSize takes.
    /// </summary>
    public long Size => SizeBytes;

    /// <summary>The same number as <see cref="Size"/>.</summary>
    public long SizeBytes { get; internal init; }

    /// <summary>Memory the model is planned to need when loaded (<see cref="EstimatedMemory"/>'s total), in bytes.</summary>
    public long RequiredMemory => RequiredMemoryBytes;

    /// <summary>The same number as <see cref="RequiredMemory"/>.</summary>
    public long RequiredMemoryBytes { get; internal init; }

    /// <summary>
    /// The memory planned for a load at the context asked for (Get-OllamaModel -Available -ContextLength; default
    /// Ollama's 4096): weights, KV cache and overhead from the architecture facts shipped in the catalog, by the same
    /// estimator as installed models, split over this machine's GPUs and RAM (GpuLayers, GpuBytes, CpuBytes) when the
    /// server is local. For a model the catalog lacks it is the size plus 20 % (Basis = Size).
    /// </summary>
    public MemoryEstimate EstimatedMemory { get; internal init; } = new();

    /// <summary>
    /// Whether it fits this machine: the layers its GPUs take (EstimatedMemory.GpuBytes) fit their free VRAM and the
    /// rest (CpuBytes) the available RAM, with headroom; null for another machine or when memory could not be read.
    /// </summary>
    public bool? FitsMemory { get; internal init; }

    /// <summary>Trained context window in tokens.</summary>
    public int? ContextLength { get; internal init; }

    public IReadOnlyList<string> Capabilities { get; internal init; } = Array.Empty<string>();

    /// <summary>Tasks the model suits (general, coding, analysis, creative, fast, vision, embedding, tools).</summary>
    public IReadOnlyList<string> TaskTypes { get; internal init; } = Array.Empty<string>();

    /// <summary>Whether a model of this name is installed on <see cref="Host"/>.</summary>
    public bool IsInstalled { get; internal init; }

    /// <summary>"Registry" when the live registry confirmed it (size and digest from its manifest), else "Catalog".</summary>
    public string Source { get; internal init; } = "Catalog";

    /// <summary>The registry's manifest digest, when it answered.</summary>
    public string? Digest { get; internal init; }

    /// <summary>The server IsInstalled refers to.</summary>
    public string Host { get; internal init; } = string.Empty;

    /// <summary>When the shipped catalog was compiled (its sizes and tags date from then).</summary>
    public DateTimeOffset CatalogDate { get; internal init; }

    public override string ToString() => Name;
}
