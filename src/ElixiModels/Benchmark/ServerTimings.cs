using System.Globalization;
using ElixiModels.Ollama;

namespace ElixiModels.Benchmark;

/// <summary>
/// Whether the timings a server reported at the end of a generate can be true, given what the client saw: no
/// negative or zero durations for work done, none longer than the client waited, and no generation faster than the
/// tokens arrived. Impossible figures are never believed (nor stored); the client's own timing stands in.
/// </summary>
public static class ServerTimings
{
    /// <summary>Clock and scheduling slack between server and client.</summary>
    private const double SlackMs = 1000;

    /// <param name="last">The final line of the stream, with the server's timings in nanoseconds.</param>
    /// <param name="wallMs">How long the client waited for the whole request.</param>
    /// <param name="streamMs">Client time from the first token to the end, or null when no token came.</param>
    /// <param name="tokensSeen">Token lines the client received.</param>
    /// <returns>Why the timings are impossible, or null when they can be true.</returns>
    public static string? Problem(GenerateChunk last, double wallMs, double? streamMs, int tokensSeen)
    {
        foreach ((string field, long? ns) in new[]
        {
            ("total_duration", last.TotalDuration), ("load_duration", last.LoadDuration),
            ("prompt_eval_duration", last.PromptEvalDuration), ("eval_duration", last.EvalDuration),
        })
        {
            if (ns < 0)
            {
                return $"{field} is negative ({Ms(ns.Value)})";
            }

            if (ns / 1e6 > wallMs + SlackMs)
            {
                return $"{field} ({Ms(ns!.Value)}) is longer than the {wallMs.ToString("0", CultureInfo.InvariantCulture)} ms the client waited";
            }
        }

        if (last.EvalCount < 0 || last.PromptEvalCount < 0)
        {
            return "a token count is negative";
        }

        if (last.EvalCount > 0 && last.EvalDuration == 0)
        {
            return $"eval_duration is 0 for {last.EvalCount} tokens";
        }

        if (last.PromptEvalCount > 0 && last.PromptEvalDuration == 0)
        {
            return $"prompt_eval_duration is 0 for {last.PromptEvalCount} tokens";
        }

        // The tokens streamed over streamMs; the server cannot have generated them in a small fraction of that.
        if (last.EvalDuration is { } eval && tokensSeen > 1 && streamMs is > 200 && eval / 1e6 * 10 < streamMs - 50)
        {
            return $"eval_duration ({Ms(eval)}) is far shorter than the {streamMs.Value.ToString("0", CultureInfo.InvariantCulture)} ms over which the client received the tokens";
        }

        return null;
    }

    private static string Ms(long ns) => (ns / 1e6).ToString("0.######", CultureInfo.InvariantCulture) + " ms";
}
