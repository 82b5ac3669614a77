using System;
using System.Buffers;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace OllamaSimulator;

/// <summary>An ordered JSON object (keys keep insertion order, like a Go struct).</summary>
internal sealed class JObj : IEnumerable<KeyValuePair<string, object?>>
{
    private readonly List<KeyValuePair<string, object?>> _items = new();

    public JObj Add(string key, object? value)
    {
        _items.Add(new KeyValuePair<string, object?>(key, value));
        return this;
    }

    /// <summary>Adds the property only when <paramref name="condition"/> holds (Go's <c>omitempty</c>).</summary>
    public JObj AddIf(bool condition, string key, object? value) => condition ? Add(key, value) : this;

    public int Count => _items.Count;

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A raw, already-encoded JSON fragment.</summary>
internal sealed record JRaw(string Json);

/// <summary>A JSON number whose exact text is given (used to keep e.g. float32 formatting).</summary>
internal readonly record struct JFloat32(float Value);

/// <summary>Serializes values exactly like Go's encoding/json (HTML-safe escaping, shortest floats, sorted maps).</summary>
internal static class GoJson
{
    private static readonly SearchValues<char> Exponent = SearchValues.Create("Ee");

    public static string Serialize(object? value)
    {
        var sb = new StringBuilder(256);
        Write(sb, value);
        return sb.ToString();
    }

    public static byte[] SerializeToUtf8(object? value) => Encoding.UTF8.GetBytes(Serialize(value));

    private static void Write(StringBuilder sb, object? value)
    {
        switch (value)
        {
            case null:
                sb.Append("null");
                break;
            case string s:
                WriteString(sb, s);
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case int i:
                sb.Append(i.ToString(CultureInfo.InvariantCulture));
                break;
            case long l:
                sb.Append(l.ToString(CultureInfo.InvariantCulture));
                break;
            case ulong ul:
                sb.Append(ul.ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(FormatFloat(d, 64));
                break;
            case float f:
                sb.Append(FormatFloat(f, 32));
                break;
            case JFloat32 f32:
                sb.Append(FormatFloat(f32.Value, 32));
                break;
            case JRaw raw:
                sb.Append(raw.Json);
                break;
            case DateTimeOffset dto:
                WriteString(sb, GoTime.Format(dto));
                break;
            case JObj obj:
                {
                    sb.Append('{');
                    bool first = true;
                    foreach (var kv in obj)
                    {
                        if (!first)
                        {
                            sb.Append(',');
                        }

                        first = false;
                        WriteString(sb, kv.Key);
                        sb.Append(':');
                        Write(sb, kv.Value);
                    }

                    sb.Append('}');
                    break;
                }

            case IDictionary<string, object?> map:
                {
                    // Go sorts map keys.
                    var keys = new List<string>(map.Keys);
                    keys.Sort(StringComparer.Ordinal);
                    sb.Append('{');
                    for (int k = 0; k < keys.Count; k++)
                    {
                        if (k > 0)
                        {
                            sb.Append(',');
                        }

                        WriteString(sb, keys[k]);
                        sb.Append(':');
                        Write(sb, map[keys[k]]);
                    }

                    sb.Append('}');
                    break;
                }

            case IEnumerable seq:
                {
                    sb.Append('[');
                    bool first = true;
                    foreach (object? item in seq)
                    {
                        if (!first)
                        {
                            sb.Append(',');
                        }

                        first = false;
                        Write(sb, item);
                    }

                    sb.Append(']');
                    break;
                }

            default:
                throw new NotSupportedException("GoJson cannot write " + value.GetType());
        }
    }

    private const string Hex = "0123456789abcdef";

    /// <summary>Go's encodeState.string with HTML escaping on.</summary>
    public static void WriteString(StringBuilder sb, string s)
    {
        sb.Append('"');
        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            switch (c)
            {
                case '"':
                    sb.Append("\\\"");
                    break;
                case '\\':
                    sb.Append("\\\\");
                    break;
                case '\n':
                    sb.Append("\\n");
                    break;
                case '\r':
                    sb.Append("\\r");
                    break;
                case '\t':
                    sb.Append("\\t");
                    break;
                case '\b':
                    sb.Append("\\b");
                    break;
                case '\f':
                    sb.Append("\\f");
                    break;
                case '<':
                case '>':
                case '&':
                case '\u2028':
                case '\u2029':
                    AppendU(sb, c);
                    break;
                default:
                    if (c < 0x20)
                    {
                        AppendU(sb, c);
                    }
                    else if (char.IsSurrogate(c))
                    {
                        if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                        {
                            sb.Append(c).Append(s[i + 1]);
                            i++;
                        }
                        else
                        {
                            sb.Append("\\ufffd");
                        }
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    private static void AppendU(StringBuilder sb, char c)
    {
        sb.Append("\\u")
          .Append(Hex[(c >> 12) & 0xF])
          .Append(Hex[(c >> 8) & 0xF])
          .Append(Hex[(c >> 4) & 0xF])
          .Append(Hex[c & 0xF]);
    }

    /// <summary>Go's floatEncoder: shortest representation, 'f' format unless the exponent is extreme.</summary>
    public static string FormatFloat(double value, int bits)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), "json: unsupported value");
        }

        if (value == 0)
        {
            return (bits == 64 ? BitConverter.DoubleToInt64Bits(value) < 0 : float.IsNegative((float)value)) ? "-0" : "0";
        }

        string r = bits == 32
            ? ((float)value).ToString("R", CultureInfo.InvariantCulture)
            : value.ToString("R", CultureInfo.InvariantCulture);

        // Decompose into sign, digits and decimal exponent.
        bool negative = r[0] == '-';
        if (negative)
        {
            r = r.Substring(1);
        }

        int exp10 = 0;
        int ePos = r.AsSpan().IndexOfAny(Exponent);
        string mant = r;
        if (ePos >= 0)
        {
            exp10 = int.Parse(r.AsSpan(ePos + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
            mant = r.Substring(0, ePos);
        }

        int dot = mant.IndexOf('.');
        string intPart = dot >= 0 ? mant.Substring(0, dot) : mant;
        string fracPart = dot >= 0 ? mant.Substring(dot + 1) : string.Empty;
        string digits = (intPart + fracPart).TrimStart('0');
        int leadingZerosRemoved = (intPart + fracPart).Length - digits.Length;
        // decimal point position relative to the start of 'digits'
        int pointPos = intPart.Length + exp10 - leadingZerosRemoved;
        digits = digits.TrimEnd('0');
        if (digits.Length == 0)
        {
            return "0";
        }

        double abs = Math.Abs(value);
        bool useExp = abs < 1e-6 || abs >= 1e21;
        if (bits == 32)
        {
            float fabs = Math.Abs((float)value);
            useExp = fabs < 1e-6f || fabs >= 1e21f;
        }

        var sb = new StringBuilder();
        if (negative)
        {
            sb.Append('-');
        }

        if (!useExp)
        {
            if (pointPos <= 0)
            {
                sb.Append("0.").Append('0', -pointPos).Append(digits);
            }
            else if (pointPos >= digits.Length)
            {
                sb.Append(digits).Append('0', pointPos - digits.Length);
            }
            else
            {
                sb.Append(digits, 0, pointPos).Append('.').Append(digits, pointPos, digits.Length - pointPos);
            }
        }
        else
        {
            int e = pointPos - 1;
            sb.Append(digits[0]);
            if (digits.Length > 1)
            {
                sb.Append('.').Append(digits, 1, digits.Length - 1);
            }

            sb.Append('e').Append(e < 0 ? '-' : '+');
            int ae = Math.Abs(e);
            // Go: at least two exponent digits, then "e-07" is cleaned up to "e-7".
            string es = ae < 10 ? "0" + ae.ToString(CultureInfo.InvariantCulture) : ae.ToString(CultureInfo.InvariantCulture);
            if (e < 0 && es.Length == 2 && es[0] == '0')
            {
                es = es.Substring(1);
            }

            sb.Append(es);
        }

        return sb.ToString();
    }
}

/// <summary>Go's time.Time JSON format (RFC 3339 with up to nine fractional digits, trailing zeros trimmed).</summary>
internal static class GoTime
{
    public static string Format(DateTimeOffset t, int extraNanos = 0)
    {
        DateTime u = t.UtcDateTime;
        long frac = (u.Ticks % TimeSpan.TicksPerSecond) * 100 + Math.Clamp(extraNanos, 0, 99);
        var sb = new StringBuilder(35);
        sb.Append(u.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        if (frac != 0)
        {
            string f = frac.ToString("D9", CultureInfo.InvariantCulture).TrimEnd('0');
            sb.Append('.').Append(f);
        }

        sb.Append('Z');
        return sb.ToString();
    }

    private static long _counter;

    /// <summary>"Now" with nanosecond-looking precision, as Ollama's created_at.</summary>
    public static string Now(TimeProvider time)
    {
        long n = System.Threading.Interlocked.Increment(ref _counter);
        int extra = (int)((System.Diagnostics.Stopwatch.GetTimestamp() + n * 37) % 100);
        return Format(time.GetUtcNow(), extra);
    }
}
