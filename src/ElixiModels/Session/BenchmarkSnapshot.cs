using System;

namespace ElixiModels.Session;

/// <summary>
/// The headline numbers of the latest benchmark of a model in this session, kept in the session cache so that
/// Select-OllamaModel and Get-OllamaModelStatus can use them.
/// </summary>
public sealed class BenchmarkSnapshot
{
    public string Model { get; init; } = string.Empty;
    public string Host { get; init; } = string.Empty;

    /// <summary>Median generation speed (eval_count / eval_duration).</summary>
    public double GenerateTokensPerSecond { get; init; }

    /// <summary>Median prompt processing speed.</summary>
    public double PromptTokensPerSecond { get; init; }

    /// <summary>Median time to first token, measured by the client.</summary>
    public double TimeToFirstTokenMs { get; init; }

    /// <summary>Failed runs as a share of all runs, 0–1.</summary>
    public double ErrorRate { get; init; }

    public int Runs { get; init; }
    public DateTimeOffset MeasuredAt { get; init; }

    public override string ToString() => $"{GenerateTokensPerSecond:0.0} tok/s, TTFT {TimeToFirstTokenMs:0} ms ({Runs} runs)";
}
