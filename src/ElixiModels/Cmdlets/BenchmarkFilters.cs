using System;
using System.Collections.Generic;
using System.Linq;
using ElixiModels.History;
using ElixiModels.Ollama;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Cmdlets;

/// <summary>The filters Get-OllamaBenchmark and Clear-OllamaBenchmark share.</summary>
internal static class BenchmarkFilters
{
    /// <summary>The servers -Uri names, when it is given (typed or from $PSDefaultParameterValues); empty means every server.</summary>
    public static ISet<string> Servers(string[]? uri, Func<IReadOnlyList<Uri>> parse) =>
        new HashSet<string>(uri is { Length: > 0 } ? parse().Select(OllamaEndpoint.Display) : Enumerable.Empty<string>(), StringComparer.OrdinalIgnoreCase);

    public static BenchmarkQuery Query(string[]? names, string? pipedHost, ISet<string> servers)
    {
        var query = new BenchmarkQuery();
        if (names is { Length: > 0 })
        {
            var filter = new ModelNameFilter(names);
            query.Name = filter.Matches;
        }

        if (pipedHost is not null)
        {
            query.Hosts.Add(pipedHost);
        }
        else
        {
            query.Hosts.UnionWith(servers);
        }

        return query;
    }
}
