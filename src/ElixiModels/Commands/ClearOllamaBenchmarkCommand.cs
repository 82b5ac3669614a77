using System;
using System.Linq;
using System.Management.Automation;
using ElixiModels.History;
using ElixiModels.Models;
using ElixiModels.Cmdlets;
using ElixiModels.Presenters;

namespace ElixiModels.Commands;

/// <summary>
/// Deletes benchmark results from the benchmark history and from this session: all of them, or those of the given
/// models, servers or time. Clear-OllamaCache never touches the history; this command is the way to empty it.
/// </summary>
[Cmdlet(VerbsCommon.Clear, "OllamaBenchmark", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
[OutputType(typeof(BenchmarkResult))]
public sealed class ClearOllamaBenchmarkCommand : BenchmarkCmdlet
{
    /// <summary>Only results measured before this time (e.g. (Get-Date).AddDays(-30) to prune old ones).</summary>
    [Parameter]
    public DateTime? Before { get; set; }

    /// <summary>Output the deleted results.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void ProcessRecord()
    {
        BenchmarkQuery query = Query(Name);
        query.Before = AsInstant(Before);
        BenchmarkHistory? history = BenchmarkHistory.Default();
        Run(async (bridge, ct) =>
        {
            var sessionResults = Session.BenchmarkResults.Where(query.Matches).ToList();
            var historyResults = (await HistoryStep.ReadAsync(bridge, ct).ConfigureAwait(false)).Where(query.Matches).ToList();
            int inSession = sessionResults.Count;
            int inHistory = historyResults.Count;
            if (inSession + inHistory == 0)
            {
                bridge.WriteVerbose("No benchmark result matches; nothing to delete.");
                return;
            }

            string where = history is null ? "this session" : $"the benchmark history ({history.Path}) and this session";
            if (!await bridge.ShouldProcessAsync(where, $"Delete {inHistory} saved and {inSession} session benchmark result(s)").ConfigureAwait(false))
            {
                return;
            }

            int removed = Session.RemoveBenchmarks(query.Matches);
            if (history is not null && inHistory > 0)
            {
                removed = await history.RemoveAsync(query.Matches, ct).ConfigureAwait(false);
                bridge.WriteVerbose($"Deleted {removed} result(s) from {history.Path}.");
            }

            if (PassThru)
            {
                foreach (BenchmarkResult r in BenchmarkQuery.Merge(sessionResults, historyResults))
                {
                    bridge.WriteObject(r);
                }
            }
        });
    }
}
