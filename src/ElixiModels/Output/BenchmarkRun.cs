using System;

namespace ElixiModels.Models;

/// <summary>One measured run of Measure-OllamaModel: client-side time to first token plus the server's own timings.</summary>
public sealed class BenchmarkRun
{
    /// <summary>1-based number of the run (warm-up runs are not listed).</summary>
    public int Run { get; internal init; }

    public DateTimeOffset StartedAt { get; internal init; }

    /// <summary>The prompt sent; each run's differs so that the server's prompt cache cannot flatter the numbers.</summary>
    public string Prompt { get; internal init; } = string.Empty;

    public bool Succeeded { get; internal init; }

    /// <summary>Why the run failed, if it did.</summary>
    public string? Error { get; internal init; }

    /// <summary>The exception behind <see cref="Error"/>, so the cmdlet can report it with its id and category.</summary>
    internal Exception? Failure { get; init; }

    /// <summary>Time from sending the request to the first non-empty response or thinking text, measured by the client.</summary>
    public double? TtftMs { get; internal init; }

    /// <summary>prompt_eval_count: prompt tokens the server evaluated.</summary>
    public int? PromptTokens { get; internal init; }

    /// <summary>prompt_eval_duration in milliseconds.</summary>
    public double? PromptMs { get; internal init; }

    /// <summary>Prefill speed: prompt_eval_count / prompt_eval_duration.</summary>
    public double? PromptTokensPerSecond { get; internal init; }

    /// <summary>eval_count: tokens generated.</summary>
    public int? GenerateTokens { get; internal init; }

    /// <summary>eval_duration in milliseconds.</summary>
    public double? GenerateMs { get; internal init; }

    /// <summary>Generation speed: eval_count / eval_duration.</summary>
    public double? GenerateTokensPerSecond { get; internal init; }

    /// <summary>load_duration in milliseconds (near zero when the model was already in memory).</summary>
    public double? LoadMs { get; internal init; }

    /// <summary>Wall time of the whole request, measured by the client.</summary>
    public double TotalMs { get; internal init; }

    /// <summary>total_duration as the server reports it.</summary>
    public double? ServerTotalMs { get; internal init; }

    /// <summary>
    /// "length" when -MaxTokens cut the answer, "stop" when the model ended it, "aborted" when the server ended the
    /// stream without its final line (the token and time figures are then the client's own: tokens counted as they
    /// arrived, generation speed from the first to the last token; the server's prompt figures are unknown).
    /// </summary>
    public string? DoneReason { get; internal init; }

    /// <summary>Short attempts made again before this one (at most 3).</summary>
    public int Retries { get; internal init; }

    public override string ToString() => Succeeded
        ? $"run {Run}: {GenerateTokensPerSecond:0.0} tok/s, TTFT {TtftMs:0} ms"
        : $"run {Run}: failed ({Error})";
}
