using System;
using System.Globalization;

namespace ElixiModels.Models;

/// <summary>Readable sizes, durations and parameter counts, matching the Ollama CLI's conventions.</summary>
public static class Units
{
    private static readonly string[] ByteUnits = { "B", "KB", "MB", "GB", "TB" };

    /// <summary>Decimal units like `ollama list` (2.0 GB, 274 MB).</summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 1000)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        int unit = 0;
        while (value >= 1000 && unit < ByteUnits.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        string number = value >= 10 || Math.Abs(value - Math.Truncate(value)) < 1e-9
            ? ((long)value).ToString(CultureInfo.InvariantCulture)
            : value.ToString("0.0", CultureInfo.InvariantCulture);
        return number + " " + ByteUnits[unit];
    }

    /// <summary>The first 12 hex digits of a digest (without "sha256:"), as `ollama list` shows an ID.</summary>
    public static string ShortDigest(string? digest)
    {
        string d = digest ?? string.Empty;
        if (d.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            d = d.Substring(7);
        }

        return d.Length > 12 ? d.Substring(0, 12) : d;
    }

    /// <summary>"850 ms", "2.4 s", "3m 05s", "1h 02m".</summary>
    public static string Duration(TimeSpan d)
    {
        if (d < TimeSpan.Zero)
        {
            return "-" + Duration(d.Negate());
        }

        if (d.TotalSeconds < 1)
        {
            return d.TotalMilliseconds.ToString("0", CultureInfo.InvariantCulture) + " ms";
        }

        if (d.TotalMinutes < 1)
        {
            return d.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture) + " s";
        }

        if (d.TotalHours < 1)
        {
            return string.Format(CultureInfo.InvariantCulture, "{0}m {1:00}s", (int)d.TotalMinutes, d.Seconds);
        }

        return string.Format(CultureInfo.InvariantCulture, "{0}h {1:00}m", (int)d.TotalHours, d.Minutes);
    }

    /// <summary>"4 minutes from now", "Forever", "Stopping…", like `ollama ps`'s UNTIL column.</summary>
    public static string Until(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (expiresAt.Year >= 2100 || expiresAt == DateTimeOffset.MaxValue)
        {
            return "Forever";
        }

        TimeSpan left = expiresAt - now;
        if (left <= TimeSpan.Zero)
        {
            return "Stopping...";
        }

        if (left.TotalMinutes < 1)
        {
            return $"{(int)Math.Ceiling(left.TotalSeconds)} seconds from now";
        }

        if (left.TotalHours < 1)
        {
            int m = (int)Math.Round(left.TotalMinutes);
            return m == 1 ? "About a minute from now" : $"{m} minutes from now";
        }

        if (left.TotalDays < 1)
        {
            int h = (int)Math.Round(left.TotalHours);
            return h == 1 ? "About an hour from now" : $"{h} hours from now";
        }

        return $"{(int)Math.Round(left.TotalDays)} days from now";
    }

    /// <summary>Parses Ollama's parameter_size ("3.2B", "137M", "116K", "8x7B") into a count.</summary>
    public static long? ParseParameterSize(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return null;
        }

        string s = text!.Trim().ToUpperInvariant();
        double factor = 1;
        int x = s.IndexOf('X');
        if (x > 0 && double.TryParse(s.Substring(0, x), NumberStyles.Float, CultureInfo.InvariantCulture, out double experts))
        {
            factor = experts;
            s = s.Substring(x + 1);
        }

        double scale = s.Length == 0 ? 1 : s[s.Length - 1] switch
        {
            'K' => 1e3,
            'M' => 1e6,
            'B' => 1e9,
            'T' => 1e12,
            _ => 1,
        };
        string number = scale == 1 ? s : s.Substring(0, s.Length - 1);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            ? (long)Math.Round(value * scale * factor)
            : null;
    }

    /// <summary>"3.2B", "137M" from a count.</summary>
    public static string ParameterSize(long count) => count switch
    {
        >= 1_000_000_000_000 => (count / 1e12).ToString("0.#", CultureInfo.InvariantCulture) + "T",
        >= 1_000_000_000 => (count / 1e9).ToString("0.#", CultureInfo.InvariantCulture) + "B",
        >= 1_000_000 => (count / 1e6).ToString("0.#", CultureInfo.InvariantCulture) + "M",
        >= 1_000 => (count / 1e3).ToString("0.#", CultureInfo.InvariantCulture) + "K",
        _ => count.ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>CPU/GPU placement as `ollama ps` prints it.</summary>
    public static string Processor(long size, long sizeVram)
    {
        if (sizeVram == 0)
        {
            return "100% CPU";
        }

        if (sizeVram == size)
        {
            return "100% GPU";
        }

        if (sizeVram > size || size == 0)
        {
            return "Unknown";
        }

        int cpu = (int)Math.Round((size - sizeVram) / (double)size * 100, MidpointRounding.AwayFromZero);
        return $"{cpu}%/{100 - cpu}% CPU/GPU";
    }
}
