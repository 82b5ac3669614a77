using System;
using ElixiModels.Ollama;

namespace ElixiModels.Models;

/// <summary>A model loaded in an Ollama server's memory (Get-OllamaModel -Loaded), as `ollama ps` reports it.</summary>
public sealed class OllamaRunningModel
{
    public string Name { get; internal init; } = string.Empty;
    public string Model { get; internal init; } = string.Empty;
    public string Tag { get; internal init; } = string.Empty;
    public string? Family { get; internal init; }
    /// <summary>Number of parameters (3.2B is 3200000000); the format view shows it as 3.2B.</summary>
    public long? ParameterSize { get; internal init; }
    public string? Quantization { get; internal init; }

    /// <summary>Memory the loaded model occupies, in bytes (shown in binary units, 1 GiB = PowerShell's 1GB).</summary>
    public long Size => SizeBytes;

    /// <summary>The same number as <see cref="Size"/>.</summary>
    public long SizeBytes { get; internal init; }

    /// <summary>Part of <see cref="Size"/> held in GPU memory, in bytes.</summary>
    public long Vram => VramBytes;

    /// <summary>The same number as <see cref="Vram"/>.</summary>
    public long VramBytes { get; internal init; }

    /// <summary>Share on the GPU, 0–100.</summary>
    public int GpuPercent => SizeBytes <= 0 || VramBytes <= 0 ? 0 : (int)Math.Round(Math.Min(VramBytes, SizeBytes) * 100.0 / SizeBytes, MidpointRounding.AwayFromZero);

    /// <summary>Share on the CPU, 0–100.</summary>
    public int CpuPercent => SizeBytes <= 0 ? 0 : 100 - GpuPercent;

    /// <summary>"100% GPU", "48%/52% CPU/GPU", "100% CPU" — as `ollama ps` prints it.</summary>
    public string Processor => Units.Processor(SizeBytes, VramBytes);

    public DateTimeOffset ExpiresAt { get; internal init; }

    /// <summary>
    /// Time left, when it was listed, until it is unloaded: <see cref="TimeSpan.MaxValue"/> for a model kept forever,
    /// zero for one being stopped. The format view words it as `ollama ps` does ("4 minutes from now", "Forever").
    /// </summary>
    public TimeSpan Until { get; internal init; }

    /// <summary>Context window the runner was started with.</summary>
    public int ContextLength { get; internal init; }

    public string Digest { get; internal init; } = string.Empty;
    public string Host { get; internal init; } = string.Empty;

    public override string ToString() => Name;

    internal static OllamaRunningModel FromWire(WireRunningModel m, string host, DateTimeOffset now)
    {
        _ = ModelName.TryParse(m.Name, out ModelName? parsed, out _);
        WireDetails d = m.Details ?? new WireDetails();
        return new OllamaRunningModel
        {
            Name = parsed?.FullName ?? m.Name,
            Model = parsed?.BaseName ?? m.Name,
            Tag = parsed?.Tag ?? string.Empty,
            Family = d.Family,
            ParameterSize = Units.ParseParameterSize(d.ParameterSize),
            Quantization = d.QuantizationLevel,
            SizeBytes = m.Size,
            VramBytes = m.SizeVram,
            ExpiresAt = m.ExpiresAt,
            Until = Units.TimeLeft(m.ExpiresAt, now),
            ContextLength = m.ContextLength,
            Digest = m.Digest,
            Host = host,
        };
    }
}
