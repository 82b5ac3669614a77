using System;

namespace ElixiModels.Models;

/// <summary>
/// What Measure-OllamaModel found for one model: flat summary columns (for Export-Csv and tables), the facts needed to
/// reproduce the measurement (model, server, machine, settings), and every run in <see cref="Runs"/>.
/// </summary>
public sealed class BenchmarkResult
{
    /// <summary>Full model name; binds to -Name of the other cmdlets.</summary>
    public string Name { get; internal init; } = string.Empty;

    /// <summary>The Ollama server measured.</summary>
    public string Host { get; internal init; } = string.Empty;

    /// <summary>The model's manifest digest when measured: a re-pulled model with a new digest is another model.</summary>
    public string? Digest { get; internal init; }

    /// <summary>"Session" (measured in this PowerShell session, runs included) or "History" (read from the benchmark history, without runs).</summary>
    public string Source { get; internal init; } = BenchmarkSource.Session;

    // ---- runs and errors

    /// <summary>Runs asked for (-Count).</summary>
    public int RequestedRuns { get; internal init; }

    /// <summary>Runs attempted (warm-up excluded); fewer than <see cref="RequestedRuns"/> when stopped.</summary>
    public int RunCount { get; internal init; }

    public int SuccessCount { get; internal init; }

    /// <summary>Failed runs.</summary>
    public int Errors { get; internal init; }

    /// <summary>Failed runs as a share of attempted runs, 0–1.</summary>
    public double ErrorRate { get; internal init; }

    /// <summary>False when the measurement was stopped (Ctrl+C) before all runs were made.</summary>
    public bool IsComplete { get; internal init; }

    /// <summary>
    /// Attempts of the counted runs that the server ended early, without its final line (Ollama stops a generation
    /// whose token repeats more than 30 times; 0.30+ also one whose text is not valid UTF-8). Each such run was retried
    /// up to 3 times; a run still short is counted with the client's own token count and timings
    /// (DoneReason 'aborted') and is not an error.
    /// </summary>
    public int ShortRuns { get; internal init; }

    /// <summary>Counted runs whose final attempt was still short (DoneReason 'aborted').</summary>
    public int AbortedRuns { get; internal init; }

    // ---- generation speed (eval_count / eval_duration)

    public double? GenerateTpsMean { get; internal init; }
    public double? GenerateTpsMedian { get; internal init; }
    public double? GenerateTpsP95 { get; internal init; }
    public double? GenerateTpsStdDev { get; internal init; }
    public double? GenerateTpsMin { get; internal init; }
    public double? GenerateTpsMax { get; internal init; }

    // ---- prefill speed (prompt_eval_count / prompt_eval_duration)

    public double? PromptTpsMean { get; internal init; }
    public double? PromptTpsMedian { get; internal init; }
    public double? PromptTpsP95 { get; internal init; }
    public double? PromptTpsStdDev { get; internal init; }
    public double? PromptTpsMin { get; internal init; }
    public double? PromptTpsMax { get; internal init; }

    // ---- time to first token, client-side

    public double? TtftMsMean { get; internal init; }
    public double? TtftMsMedian { get; internal init; }
    public double? TtftMsP95 { get; internal init; }
    public double? TtftMsStdDev { get; internal init; }
    public double? TtftMsMin { get; internal init; }
    public double? TtftMsMax { get; internal init; }

    // ---- whole request, client-side

    public double? TotalMsMean { get; internal init; }
    public double? TotalMsMedian { get; internal init; }
    public double? TotalMsP95 { get; internal init; }
    public double? TotalMsStdDev { get; internal init; }
    public double? TotalMsMin { get; internal init; }
    public double? TotalMsMax { get; internal init; }

    /// <summary>load_duration of the first request (warm-up if any): a cold load unless <see cref="WasLoaded"/>.</summary>
    public double? LoadMs { get; internal init; }

    /// <summary>Whether the model was already in memory before the measurement started.</summary>
    public bool WasLoaded { get; internal init; }

    // ---- the model

    public string? Family { get; internal init; }
    /// <summary>Number of parameters (7B is 7000000000); the format view shows it as 7B.</summary>
    public long? ParameterSize => ParameterCount;

    /// <summary>The same number as <see cref="ParameterSize"/>.</summary>
    public long? ParameterCount { get; internal init; }
    public string? Quantization { get; internal init; }

    /// <summary>Size on disk in bytes.</summary>
    public long? SizeBytes { get; internal init; }

    /// <summary>Memory the loaded model used (/api/ps size).</summary>
    public long? MemoryBytes { get; internal init; }

    /// <summary>Part of <see cref="MemoryBytes"/> in GPU memory.</summary>
    public long? VramBytes { get; internal init; }

    /// <summary>Share of the model on the GPU, 0–100.</summary>
    public int? GpuPercent { get; internal init; }

    /// <summary>"100% GPU", "48%/52% CPU/GPU", "100% CPU".</summary>
    public string? Processor { get; internal init; }

    /// <summary>Context window the runner used during the measurement.</summary>
    public int? ContextLength { get; internal init; }

    // ---- settings

    /// <summary>The built-in prompt set used (general, coding, …), or "custom" for -Prompt.</summary>
    public string PromptSet { get; internal init; } = string.Empty;

    public int Warmup { get; internal init; }
    public int MaxTokens { get; internal init; }
    public double Temperature { get; internal init; }
    public int Seed { get; internal init; }

    // ---- server and machine

    public string? ServerVersion { get; internal init; }

    /// <summary>Whether the server is on this machine, so the machine facts below describe the hardware measured.</summary>
    public bool IsLocalServer { get; internal init; }

    public string? MachineName { get; internal init; }
    public string? OperatingSystem { get; internal init; }
    public string? Cpu { get; internal init; }
    public int? LogicalProcessors { get; internal init; }

    /// <summary>This machine's CPU use, 0–100, as the probe read it when the measurement ended (readings are reused for 2 s).</summary>
    public double? CpuPercent { get; internal init; }

    public long? MemoryTotalBytes { get; internal init; }
    public long? MemoryAvailableBytes { get; internal init; }

    /// <summary>GPUs as "name (free of total)", separated by "; ".</summary>
    public string? Gpus { get; internal init; }

    public DateTimeOffset MeasuredAt { get; internal init; }

    /// <summary>Wall time of the whole measurement, warm-up included.</summary>
    public TimeSpan Duration { get; internal init; }

    /// <summary>Every counted run, in order.</summary>
    public BenchmarkRun[] Runs { get; internal init; } = Array.Empty<BenchmarkRun>();

    /// <summary>The warm-up runs (not counted in the summary); the first one's LoadMs is the cold load.</summary>
    public BenchmarkRun[] WarmupRuns { get; internal init; } = Array.Empty<BenchmarkRun>();

    public override string ToString() => GenerateTpsMedian is { } tps
        ? $"{Name}: {tps:0.0} tok/s, TTFT {TtftMsMedian:0} ms ({SuccessCount}/{RunCount} runs)"
        : $"{Name}: no successful run ({RunCount} attempted)";
}

/// <summary>The values of <see cref="BenchmarkResult.Source"/>.</summary>
public static class BenchmarkSource
{
    /// <summary>Measured in this PowerShell session; <see cref="BenchmarkResult.Runs"/> holds every run.</summary>
    public const string Session = "Session";

    /// <summary>Read from the benchmark history another session wrote; the summary only, no runs.</summary>
    public const string History = "History";
}
