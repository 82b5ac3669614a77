using System.Text;
using System.Text.RegularExpressions;

namespace ElixiModels.Models;

/// <summary>
/// A wildcard pattern with PowerShell's rules (* any run, ? one character, [abc] and [a-z] sets, ` escapes the next
/// character), case-insensitive, for matching model names in plain code that cannot use WildcardPattern.
/// </summary>
public sealed class NamePattern
{
    private readonly Regex _regex;

    private NamePattern(string text, Regex regex)
    {
        Text = text;
        _regex = regex;
    }

    public string Text { get; }

    public bool IsMatch(string? input) => input is not null && _regex.IsMatch(input);

    /// <summary>Whether <paramref name="text"/> has an unescaped *, ?, [ or ] (as WildcardPattern.ContainsWildcardCharacters).</summary>
    public static bool HasWildcards(string? text)
    {
        if (text is null)
        {
            return false;
        }

        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c is '*' or '?' or '[' or ']')
            {
                return true;
            }

            if (c == '`')
            {
                i++;
            }
        }

        return false;
    }

    /// <summary>Parses a pattern; false with a reason when a '[' is not closed.</summary>
    public static bool TryParse(string text, out NamePattern? pattern, out string? problem)
    {
        var regex = new StringBuilder("^");
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '`' when i + 1 < text.Length:
                    regex.Append(Regex.Escape(text[++i].ToString()));
                    break;
                case '*':
                    regex.Append(".*");
                    break;
                case '?':
                    regex.Append('.');
                    break;
                case '[':
                    int close = i + 1;
                    var set = new StringBuilder();
                    while (close < text.Length && text[close] != ']')
                    {
                        char member = text[close] == '`' && close + 1 < text.Length ? text[++close] : text[close];
                        set.Append(member == '-' && set.Length > 0 && close + 1 < text.Length && text[close + 1] != ']' ? "-" : Regex.Escape(member.ToString()).Replace("-", "\\-"));
                        close++;
                    }

                    if (close >= text.Length || set.Length == 0)
                    {
                        pattern = null;
                        problem = $"'{text}' is not a valid wildcard pattern: a '[' must be closed by ']' (to match a bracket literally, escape it as `[).";
                        return false;
                    }

                    regex.Append('[').Append(set).Append(']');
                    i = close;
                    break;
                default:
                    regex.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        pattern = new NamePattern(text, new Regex(regex.Append('$').ToString(), RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline));
        problem = null;
        return true;
    }
}
