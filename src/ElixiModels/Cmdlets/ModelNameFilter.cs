using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ElixiModels.Models;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Cmdlets;

/// <summary>
/// Matches model names against -Name values: wildcards as in PowerShell; a literal name with a tag must match exactly;
/// a bare name follows <see cref="ModelName.Resolve"/> once <see cref="ResolveBareNames"/> is given the installed names
/// (name:latest when installed, else every tag of that model). Remembers literal names
/// that matched nothing, so a cmdlet can report them.
/// </summary>
internal sealed class ModelNameFilter
{
    private readonly List<(string Text, WildcardPattern? Pattern, string? Exact, string? Base)> _terms = new();
    private readonly Dictionary<string, HashSet<string>> _resolved = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<string> _matched = new(StringComparer.OrdinalIgnoreCase);

    public ModelNameFilter(IEnumerable<string>? names)
    {
        foreach (string raw in names ?? Array.Empty<string>())
        {
            string text = raw.Trim();
            if (PatternProblem(text) is { } problem)
            {
                throw new ArgumentException(problem);
            }

            if (WildcardPattern.ContainsWildcardCharacters(text))
            {
                _terms.Add((text, new WildcardPattern(text, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant), null, null));
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

    public bool IsEmpty => _terms.Count == 0;

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
    /// The -Name values fit to reach a server; each other one is an InvalidModelName error (empty, path-like or malformed).
    /// Wildcard patterns are checked for path characters only.
    /// </summary>
    public static List<string> Acceptable(IEnumerable<string> names, Action<ErrorRecord> writeError, string recommendedAction)
    {
        var result = new List<string>();
        foreach (string raw in names)
        {
            string text = (raw ?? string.Empty).Trim();
            string? problem = null;
            bool ok = WildcardPattern.ContainsWildcardCharacters(text)
                ? (problem = ModelName.PathProblem(text) ?? PatternProblem(text)) is null
                : ModelName.TryParse(text, out _, out problem);
            if (ok)
            {
                result.Add(text);
            }
            else
            {
                writeError(OllamaErrors.Build(new ArgumentException(problem), "InvalidModelName", ErrorCategory.InvalidArgument, raw, recommendedAction));
            }
        }

        return result;
    }

    /// <summary>Why <paramref name="text"/> is not a usable wildcard pattern (e.g. 'llama[' has an unclosed '['), or null.</summary>
    public static string? PatternProblem(string text)
    {
        if (!WildcardPattern.ContainsWildcardCharacters(text))
        {
            return null;
        }

        try
        {
            new WildcardPattern(text, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant).IsMatch(string.Empty);
            return null;
        }
        catch (WildcardPatternException)
        {
            return $"'{text}' is not a valid wildcard pattern: a '[' must be closed by ']' (to match a bracket literally, escape it as `[).";
        }
    }

    /// <summary>Literal names (no wildcards) that matched nothing.</summary>
    public IEnumerable<string> Unmatched() =>
        _terms.Where(t => t.Pattern is null && !_matched.Contains(t.Text)).Select(t => t.Text);
}
