using System;
using System.Collections.Generic;
using System.Linq;

namespace ElixiModels.Models;

/// <summary>
/// Matches model names against -Name values: wildcards as in PowerShell; a literal name with a tag must match exactly;
/// a bare name follows <see cref="ModelName.Resolve"/> once <see cref="ResolveBareNames"/> is given the installed names
/// (name:latest when installed, else every tag of that model). Remembers literal names
/// that matched nothing, so a cmdlet can report them.
/// </summary>
public sealed class ModelNameFilter
{
    private readonly List<(string Text, NamePattern? Pattern, string? Exact, string? Base)> _terms = new();
    private readonly Dictionary<string, HashSet<string>> _resolved = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _matched = new(StringComparer.OrdinalIgnoreCase);

    public ModelNameFilter(IEnumerable<string>? names)
    {
        foreach (string raw in names ?? Array.Empty<string>())
        {
            string text = raw.Trim();
            if (NamePattern.HasWildcards(text))
            {
                if (!NamePattern.TryParse(text, out NamePattern? pattern, out string? problem))
                {
                    throw new ArgumentException(problem);
                }

                _terms.Add((text, pattern, null, null));
            }
            else if (text.Contains(":"))
            {
                _terms.Add((text, null, ModelName.Normalize(text), null));
            }
            else
            {
                _terms.Add((text, null, null, ModelName.TryParse(text, out ModelName? n, out _) ? n!.BaseName : text));
            }
        }
    }

    /// <summary>
    /// Applies the one name rule (<see cref="ModelName.Resolve"/>) to the bare names: name:latest when it is
    /// installed, else every installed tag. Call with the server's installed names before <see cref="Matches"/>.
    /// </summary>
    public ModelNameFilter ResolveBareNames(IEnumerable<string> installed)
    {
        List<string> names = installed.ToList();
        foreach (var term in _terms.Where(t => t.Base is not null))
        {
            _resolved[term.Text] = new HashSet<string>(ModelName.Resolve(term.Text, names), StringComparer.OrdinalIgnoreCase);
        }

        return this;
    }

    public bool Matches(string name)
    {
        if (_terms.Count == 0)
        {
            return true;
        }

        bool any = false;
        ModelName.TryParse(name, out ModelName? parsed, out _);
        foreach (var term in _terms)
        {
            bool hit = term.Pattern is not null
                ? term.Pattern.IsMatch(name) || (parsed is not null && term.Pattern.IsMatch(parsed.BaseName))
                : term.Exact is not null
                    ? string.Equals(term.Exact, ModelName.Normalize(name), StringComparison.OrdinalIgnoreCase)
                    : _resolved.TryGetValue(term.Text, out HashSet<string>? resolved)
                        ? resolved.Contains(ModelName.Normalize(name))
                        : string.Equals(term.Base, parsed?.BaseName ?? name, StringComparison.OrdinalIgnoreCase);
            if (hit)
            {
                _matched.Add(term.Text);
                any = true;
            }
        }

        return any;
    }

    /// <summary>
    /// Splits -Name values into those fit to reach a server and the rest (empty, path-like or malformed), each with
    /// its reason. Wildcard patterns are checked for path characters and brackets only.
    /// </summary>
    public static (List<string> Accepted, List<(string Text, string Problem)> Rejected) Check(IEnumerable<string> names)
    {
        var accepted = new List<string>();
        var rejected = new List<(string, string)>();
        foreach (string raw in names)
        {
            string text = (raw ?? string.Empty).Trim();
            string? problem = null;
            bool ok = NamePattern.HasWildcards(text)
                ? (problem = ModelName.PathProblem(text) ?? PatternProblem(text)) is null
                : ModelName.TryParse(text, out _, out problem);
            if (ok)
            {
                accepted.Add(text);
            }
            else
            {
                rejected.Add((raw ?? string.Empty, problem!));
            }
        }

        return (accepted, rejected);
    }

    /// <summary>Why <paramref name="text"/> is not a usable wildcard pattern (e.g. 'llama[' has an unclosed '['), or null.</summary>
    public static string? PatternProblem(string text) =>
        NamePattern.HasWildcards(text) && !NamePattern.TryParse(text, out _, out string? problem) ? problem : null;

    /// <summary>Whether <paramref name="text"/> is a wildcard pattern rather than a name.</summary>
    public static bool IsPattern(string text) => NamePattern.HasWildcards(text);

    /// <summary>Literal names (no wildcards) that matched nothing.</summary>
    public IEnumerable<string> Unmatched() =>
        _terms.Where(t => t.Pattern is null && !_matched.Contains(t.Text)).Select(t => t.Text);
}
