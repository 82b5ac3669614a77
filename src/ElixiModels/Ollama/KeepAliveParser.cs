using System;
using System.Globalization;

namespace ElixiModels.Ollama;

/// <summary>
/// Reads a keep-alive the way users write it: Go durations as Ollama takes them ("10m", "1h30m", "500ms", "1.5h"),
/// seconds ("300"), "Forever" / "Infinite" or a negative number (forever), a TimeSpan ("00:10:00") or a number.
/// </summary>
public static class KeepAliveParser
{
    private static readonly TimeSpan Longest = TimeSpan.FromDays(365 * 100);

    public static bool TryParse(object? value, out KeepAlive keepAlive, out string? problem)
    {
        keepAlive = default;
        problem = null;
        switch (value)
        {
            case null:
                problem = "The keep-alive is empty.";
                return false;
            case KeepAlive k:
                keepAlive = k;
                return true;
            case TimeSpan t:
                keepAlive = Make(t);
                return true;
            case int or long or short or byte or sbyte or uint or ulong or ushort:
                keepAlive = FromSeconds(Convert.ToDouble(value, CultureInfo.InvariantCulture));
                return true;
            case double or float or decimal:
                double seconds = Convert.ToDouble(value, CultureInfo.InvariantCulture);
                if (double.IsNaN(seconds))
                {
                    problem = "The keep-alive is not a number.";
                    return false;
                }

                keepAlive = FromSeconds(seconds);
                return true;
            case string s:
                return TryParseText(s, out keepAlive, out problem);
            default:
                problem = $"A keep-alive cannot be made from a {value.GetType().Name}; use a duration such as '10m', '1h', 'Forever', a TimeSpan or seconds.";
                return false;
        }
    }

    private static bool TryParseText(string raw, out KeepAlive keepAlive, out string? problem)
    {
        keepAlive = default;
        problem = null;
        string s = raw.Trim();
        if (s.Length == 0)
        {
            problem = "The keep-alive is empty.";
            return false;
        }

        if (s.Equals("forever", StringComparison.OrdinalIgnoreCase) || s.Equals("infinite", StringComparison.OrdinalIgnoreCase))
        {
            keepAlive = KeepAlive.Forever;
            return true;
        }

        if (double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && !double.IsNaN(seconds))
        {
            keepAlive = FromSeconds(seconds);
            return true;
        }

        if (s.IndexOf(':') >= 0 && TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out TimeSpan span))
        {
            keepAlive = Make(span);
            return true;
        }

        if (TryParseGoDuration(s, out TimeSpan duration))
        {
            keepAlive = Make(duration);
            return true;
        }

        problem = $"'{raw}' is not a keep-alive: use a duration such as '30s', '10m', '1h30m', 'Forever' (or -1), a TimeSpan or seconds.";
        return false;
    }

    private static KeepAlive FromSeconds(double seconds) =>
        seconds >= Longest.TotalSeconds ? KeepAlive.Forever : Make(TimeSpan.FromTicks((long)Math.Round(seconds * TimeSpan.TicksPerSecond)));

    // Beyond Go's longest duration (about 292 years) Ollama would overflow; anything that long means forever.
    private static KeepAlive Make(TimeSpan span) => span >= Longest ? KeepAlive.Forever : KeepAlive.For(span);

    /// <summary>Go's time.ParseDuration: [-]{number unit}+ with units ns, us, µs, ms, s, m, h.</summary>
    private static bool TryParseGoDuration(string s, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        int i = 0;
        bool negative = false;
        if (s[0] is '-' or '+')
        {
            negative = s[0] == '-';
            i++;
        }

        if (i >= s.Length)
        {
            return false;
        }

        double ticks = 0;
        while (i < s.Length)
        {
            int start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == start || !double.TryParse(s.Substring(start, i - start), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double number))
            {
                return false;
            }

            int unitStart = i;
            while (i < s.Length && !char.IsDigit(s[i]) && s[i] != '.')
            {
                i++;
            }

            double perUnit = s.Substring(unitStart, i - unitStart).ToLowerInvariant() switch
            {
                "ns" => 0.01,
                "us" or "µs" or "μs" => 10,
                "ms" => TimeSpan.TicksPerMillisecond,
                "s" => TimeSpan.TicksPerSecond,
                "m" => TimeSpan.TicksPerMinute,
                "h" => TimeSpan.TicksPerHour,
                _ => double.NaN,
            };
            if (double.IsNaN(perUnit))
            {
                return false;
            }

            ticks += number * perUnit;
        }

        duration = ticks >= Longest.Ticks ? Longest : TimeSpan.FromTicks((long)Math.Round(ticks));
        duration = negative ? duration.Negate() : duration;
        return true;
    }
}
