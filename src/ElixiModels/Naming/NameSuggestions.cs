using System;
using System.Collections.Generic;
using System.Linq;

namespace ElixiModels.Models;

/// <summary>Did-you-mean suggestions for model names: same base name, shared prefix, or a small edit distance.</summary>
public static class NameSuggestions
{
    public static IReadOnlyList<string> Similar(string wanted, IEnumerable<string> candidates, int max = 3)
    {
        string w = ModelName.Normalize(wanted).ToLowerInvariant();
        string wBase = Base(w);
        return candidates
            .Where(c => !string.IsNullOrEmpty(c))
            .Select(c => ModelName.Normalize(c))
            .Distinct(StringComparer.OrdinalIgnoreCase)
            .Select(c => (Name: c, Score: Score(w, wBase, c.ToLowerInvariant())))
            .Where(x => x.Score < int.MaxValue)
            .OrderBy(x => x.Score)
            // Among tags of the same model, the one closest to what was typed (tag included) first.
            .ThenBy(x => Distance(w, x.Name.ToLowerInvariant()))
            .ThenBy(x => x.Name, StringComparer.OrdinalIgnoreCase)
            .Take(max)
            .Select(x => x.Name)
            .ToList();
    }

    // 0 for another tag of the same model; otherwise the edit distance between the names without tags, kept when it
    // is small or when one name is a prefix of the other ("phi3" → "phi3.5").
    private static int Score(string wanted, string wantedBase, string candidate)
    {
        string cBase = Base(candidate);
        if (cBase == wantedBase)
        {
            return 0;
        }

        int distance = Distance(wantedBase, cBase);
        bool prefix = cBase.StartsWith(wantedBase, StringComparison.Ordinal) || wantedBase.StartsWith(cBase, StringComparison.Ordinal);
        int allowed = Math.Max(2, wantedBase.Length / 3);
        return distance <= allowed || prefix ? distance : int.MaxValue;
    }

    private static string Base(string name)
    {
        int colon = name.LastIndexOf(':');
        return colon > 0 ? name.Substring(0, colon) : name;
    }

    internal static int Distance(string a, string b)
    {
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (int j = 0; j <= b.Length; j++)
        {
            previous[j] = j;
        }

        for (int i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (int j = 1; j <= b.Length; j++)
            {
                int cost = a[i - 1] == b[j - 1] ? 0 : 1;
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }

            (previous, current) = (current, previous);
        }

        return previous[b.Length];
    }
}
