using System;
using System.Globalization;

namespace ElixiModels.Models;

/// <summary>Readable sizes, durations and parameter counts, as the format views show them.</summary>
public static class Units
{
    private static readonly string[] ByteUnits = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };

    /// <summary>
    /// Binary units, as PowerShell's 1KB/1MB/1GB literals count (1 GiB = 1GB = 1024³ bytes): "1.9 GiB", "262 MiB".
    /// Sizes are shown, compared and typed in one unit system, so -MaxSize 5GB never keeps a model shown above 5 GiB.
    /// </summary>
    public static string Bytes(long bytes)
    {
        if (bytes < 0)
        {
            return "-" + Bytes(bytes == long.MinValue ? long.MaxValue : -bytes);
        }

        if (bytes < 1024)
        {
            return bytes.ToString(CultureInfo.InvariantCulture) + " B";
        }

        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < ByteUnits.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        // One decimal below 10 (rounded down at the boundary so 9.96 GiB does not read "10.0"), whole numbers above.
        string number = value >= 9.95 ? Math.Round(value).ToString("0", CultureInfo.InvariantCulture)
            : value.ToString("0.0", CultureInfo.InvariantCulture);
        return number + " " + ByteUnits[unit];
    }

    /// <summary><see cref="Bytes(long)"/> for a nullable size; empty for null.</summary>
    public static string Bytes(long? bytes) => bytes is { } b ? Bytes(b) : string.Empty;

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
    public static string Until(DateTimeOffset expiresAt, DateTimeOffset now) => Until(TimeLeft(expiresAt, now));

    /// <summary>Time left from <paramref name="now"/> until <paramref name="expiresAt"/>; <see cref="TimeSpan.MaxValue"/> for "Forever".</summary>
    public static TimeSpan TimeLeft(DateTimeOffset expiresAt, DateTimeOffset now)
    {
        if (expiresAt.Year >= 2100 || expiresAt == DateTimeOffset.MaxValue)
        {
            return TimeSpan.MaxValue;
        }

        TimeSpan left = expiresAt - now;
        return left <= TimeSpan.Zero ? TimeSpan.Zero : left;
    }

    /// <summary>A time left as `ollama ps` words it: <see cref="TimeSpan.MaxValue"/> is "Forever", zero "Stopping...".</summary>
    public static string Until(TimeSpan left)
    {
        if (left == TimeSpan.MaxValue)
        {
            return "Forever";
        }

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

    /// <summary>A keep-alive as users type it: <see cref="TimeSpan.MaxValue"/> is "Forever", null "server default".</summary>
    public static string KeepAlive(TimeSpan? keepAlive) => keepAlive switch
    {
        null => "server default",
        { } k when k == TimeSpan.MaxValue => "Forever",
        { } k => Duration(k),
    };

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

    /// <summary>"3.2B", "137M" from a count; empty for null.</summary>
    public static string ParameterSize(long? count) => count is { } c ? ParameterSize(c) : string.Empty;

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
