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
    public string? ParameterSize { get; internal init; }
    public string? Quantization { get; internal init; }

    /// <summary>Memory the loaded model occupies, in bytes.</summary>
    public long SizeBytes { get; internal init; }

    public string Size => Units.Bytes(SizeBytes);

    /// <summary>Part of <see cref="SizeBytes"/> held in GPU memory.</summary>
    public long VramBytes { get; internal init; }

    public string Vram => Units.Bytes(VramBytes);

    /// <summary>Share on the GPU, 0–100.</summary>
    public int GpuPercent => SizeBytes <= 0 || VramBytes <= 0 ? 0 : (int)Math.Round(Math.Min(VramBytes, SizeBytes) * 100.0 / SizeBytes, MidpointRounding.AwayFromZero);

    /// <summary>Share on the CPU, 0–100.</summary>
    public int CpuPercent => SizeBytes <= 0 ? 0 : 100 - GpuPercent;

    /// <summary>"100% GPU", "48%/52% CPU/GPU", "100% CPU" — as `ollama ps` prints it.</summary>
    public string Processor => Units.Processor(SizeBytes, VramBytes);

    public DateTimeOffset ExpiresAt { get; internal init; }

    /// <summary>When it will be unloaded, relative to when it was listed ("4 minutes from now", "Forever").</summary>
    public string Until { get; internal init; } = string.Empty;

    /// <summary>Context window the runner was started with.</summary>
    public int ContextLength { get; internal init; }

    public string Digest { get; internal init; } = string.Empty;
    public string Host { get; internal init; } = string.Empty;

    public override string ToString() => Name;

    internal static OllamaRunningModel FromWire(WireRunningModel m, string host, DateTimeOffset now)
    {
        ModelName.TryParse(m.Name, out ModelName? parsed, out _);
        WireDetails d = m.Details ?? new WireDetails();
        return new OllamaRunningModel
        {
            Name = parsed?.FullName ?? m.Name,
            Model = parsed?.BaseName ?? m.Name,
            Tag = parsed?.Tag ?? string.Empty,
            Family = d.Family,
            ParameterSize = d.ParameterSize,
            Quantization = d.QuantizationLevel,
            SizeBytes = m.Size,
            VramBytes = m.SizeVram,
            ExpiresAt = m.ExpiresAt,
            Until = Units.Until(m.ExpiresAt, now),
            ContextLength = m.ContextLength,
            Digest = m.Digest,
            Host = host,
        };
    }
}
