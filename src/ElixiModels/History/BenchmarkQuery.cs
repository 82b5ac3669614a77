using System;
using System.Collections.Generic;
using System.Linq;
using ElixiModels.Models;

namespace ElixiModels.History;

/// <summary>
/// Which benchmark results Get-OllamaBenchmark and Clear-OllamaBenchmark mean: by model name (a predicate, so the
/// cmdlet's wildcard rules apply), server, and time. Also merges the session's results with the history's.
/// </summary>
public sealed class BenchmarkQuery
{
    /// <summary>Model names to keep; null keeps every model.</summary>
    public Func<string, bool>? Name { get; set; }

    /// <summary>Servers (canonical Host text) to keep; empty keeps every server.</summary>
    public ISet<string> Hosts { get; } = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Keep results measured at or after this time.</summary>
    public DateTimeOffset? Since { get; set; }

    /// <summary>Keep results measured before this time.</summary>
    public DateTimeOffset? Before { get; set; }

    public bool Matches(BenchmarkResult r) =>
        (Name is null || Name(r.Name))
        && (Hosts.Count == 0 || Hosts.Contains(r.Host))
        && (Since is null || r.MeasuredAt >= Since)
        && (Before is null || r.MeasuredAt < Before);

    /// <summary>
    /// The session's results and the history's as one list, newest first; a result in both (the session wrote it to
    /// the history) is listed once, as the session's, which has its runs.
    /// </summary>
    public static List<BenchmarkResult> Merge(IEnumerable<BenchmarkResult> session, IEnumerable<BenchmarkResult> history)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var all = new List<BenchmarkResult>();
        foreach (BenchmarkResult r in session.Concat(history))
        {
            if (seen.Add(Identity(r)))
            {
                all.Add(r);
            }
        }

        return all.OrderByDescending(r => r.MeasuredAt).ThenBy(r => r.Name, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>The newest result per server and model of a newest-first list.</summary>
    public static List<BenchmarkResult> Latest(IEnumerable<BenchmarkResult> newestFirst)
    {
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        return newestFirst.Where(r => seen.Add(r.Host + "|" + ModelName.Normalize(r.Name))).ToList();
    }

    /// <summary>
    /// The newest result of <paramref name="model"/> with manifest <paramref name="digest"/> on <paramref name="host"/>
    /// that has a successful run. Results for another digest (the model was re-pulled since) are not this model's;
    /// results without a digest are not trusted either. For a server on this machine, results from another machine
    /// (the same history file shared between computers) are not used.
    /// </summary>
    public static BenchmarkResult? ForModel(IEnumerable<BenchmarkResult> records, string host, string model, string? digest, string? machine)
    {
        if (string.IsNullOrEmpty(digest))
        {
            return null;
        }

        return records
            .Where(r => string.Equals(r.Host, host, StringComparison.OrdinalIgnoreCase)
                && ModelName.SameModel(r.Name, model)
                && string.Equals(r.Digest, digest, StringComparison.OrdinalIgnoreCase)
                && r.SuccessCount > 0 && r.GenerateTpsMedian is > 0
                && (!r.IsLocalServer || machine is null || r.MachineName is null || string.Equals(r.MachineName, machine, StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(r => r.MeasuredAt)
            .FirstOrDefault();
    }

    private static string Identity(BenchmarkResult r) =>
        r.Host + "|" + ModelName.Normalize(r.Name) + "|" + r.MeasuredAt.UtcTicks.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
