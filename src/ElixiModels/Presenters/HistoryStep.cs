using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.History;
using ElixiModels.Models;
using ElixiModels.Cmdlets;

namespace ElixiModels.Presenters;

/// <summary>
/// The cmdlets' use of the benchmark history: a history that cannot be written or read is a warning, never a failure
/// of the command; damaged lines are skipped with a warning.
/// </summary>
internal static class HistoryStep
{
    /// <summary>Appends a completed result unless the history is off; false when it is off or could not be written.</summary>
    public static async Task<bool> AppendAsync(PipelineBridge bridge, BenchmarkResult result, CancellationToken ct)
    {
        BenchmarkHistory? history = BenchmarkHistory.Default();
        if (history is null)
        {
            return false;
        }

        try
        {
            await history.AppendAsync(result, ct).ConfigureAwait(false);
            bridge.WriteVerbose($"Saved the result of {result.Name} to the benchmark history ({history.Path}).");
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            bridge.WriteWarning($"The result of {result.Name} is kept in this session only: the benchmark history {history.Path} could not be written ({ex.Message}).");
            return false;
        }
    }

    /// <summary>The history's records (oldest first), or none when it is off or unreadable.</summary>
    public static async Task<IReadOnlyList<BenchmarkResult>> ReadAsync(PipelineBridge bridge, CancellationToken ct)
    {
        BenchmarkHistory? history = BenchmarkHistory.Default();
        if (history is null)
        {
            return Array.Empty<BenchmarkResult>();
        }

        try
        {
            (IReadOnlyList<BenchmarkResult> records, int damaged) = await history.ReadAsync(ct).ConfigureAwait(false);
            if (damaged > 0)
            {
                bridge.WriteWarning($"Skipped {damaged} damaged record(s) in the benchmark history {history.Path}; the others are used.");
            }

            return records;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or System.Security.SecurityException or NotSupportedException or ArgumentException)
        {
            bridge.WriteWarning($"The benchmark history {history.Path} could not be read ({ex.Message}); only this session's results are used.");
            return Array.Empty<BenchmarkResult>();
        }
    }
}
