using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ElixiModels.History;
using ElixiModels.Models;
using ElixiModels.Cmdlets;
using ElixiModels.Presenters;

namespace ElixiModels.Commands;

/// <summary>
/// Lists benchmark results, newest first: this session's (with their runs) and the benchmark history's, which
/// Measure-OllamaModel writes so that results outlive the session. Filter by model name (wildcards), server, and time;
/// -Latest keeps the newest result per server and model.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OllamaBenchmark")]
[OutputType(typeof(BenchmarkResult))]
public sealed class GetOllamaBenchmarkCommand : BenchmarkCmdlet
{
    internal const string ListTypeName = "ElixiModels.Models.BenchmarkResult#List";
    private readonly List<BenchmarkQuery> _asked = new();

    /// <summary>Only results measured at or after this time.</summary>
    [Parameter]
    public DateTime? Since { get; set; }

    /// <summary>Only the newest result per server and model.</summary>
    [Parameter]
    public SwitchParameter Latest { get; set; }

    /// <summary>Only this session's results; the history is not read.</summary>
    [Parameter]
    public SwitchParameter SessionOnly { get; set; }

    protected override void ProcessRecord()
    {
        _asked.Add(Query(Name));
    }

    protected override void EndProcessing()
    {
        if (_asked.Count == 0)
        {
            _asked.Add(Query(null));
        }

        Run(async (bridge, ct) =>
        {
            IReadOnlyList<BenchmarkResult> history = SessionOnly ? Array.Empty<BenchmarkResult>() : await HistoryStep.ReadAsync(bridge, ct).ConfigureAwait(false);
            List<BenchmarkResult> all = BenchmarkQuery.Merge(Session.BenchmarkResults, history);
            var shown = new HashSet<BenchmarkResult>();
            var picked = new List<BenchmarkResult>();
            foreach (BenchmarkQuery query in _asked)
            {
                query.Since = AsInstant(Since);
                picked.AddRange(all.Where(query.Matches).Where(shown.Add));
            }

            IEnumerable<BenchmarkResult> output = picked.OrderByDescending(r => r.MeasuredAt);
            if (Latest)
            {
                output = BenchmarkQuery.Latest(output);
            }

            foreach (BenchmarkResult r in output)
            {
                var o = PSObject.AsPSObject(r);
                o.TypeNames.Insert(0, ListTypeName);
                bridge.WriteObject(o);
            }
        });
    }
}
