using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace OllamaSimulator;

/// <summary>Raised for a request Ollama rejects before doing anything (maps to an HTTP status + {"error":...}).</summary>
internal sealed class ApiError : Exception
{
    public ApiError(int status, string message) : base(message)
    {
        Status = status;
    }

    public int Status { get; }
}

/// <summary>
/// A decoded request body that behaves like Go's <c>json.NewDecoder(body).Decode(&amp;req)</c>: only the first
/// JSON value is read, syntax errors carry Go's scanner messages, fields match case-insensitively and type
/// mismatches produce Go's UnmarshalTypeError text.
/// </summary>
internal sealed class GoRequest
{
    private readonly JsonElement _root;
    private readonly bool _hasObject;
    private readonly string _typeName;

    private GoRequest(JsonElement root, bool hasObject, string typeName)
    {
        _root = root;
        _hasObject = hasObject;
        _typeName = typeName;
    }

    /// <summary>Decodes <paramref name="body"/>; throws <see cref="ApiError"/> (400) like Ollama's ShouldBindJSON.</summary>
    public static GoRequest Decode(byte[] body, string goTypeName)
    {
        string? syntax = GoJsonScanner.Check(body, out bool eof, out int end);
        if (eof)
        {
            throw new ApiError(400, "missing request body");
        }

        if (syntax is not null)
        {
            throw new ApiError(400, syntax);
        }

        using JsonDocument doc = JsonDocument.Parse(body.AsMemory(0, end), new JsonDocumentOptions { AllowTrailingCommas = false, MaxDepth = 10000 });
        JsonElement root = doc.RootElement.Clone();
        switch (root.ValueKind)
        {
            case JsonValueKind.Object:
                return new GoRequest(root, true, goTypeName);
            case JsonValueKind.Null:
                return new GoRequest(root, false, goTypeName);
            default:
                throw new ApiError(400, $"json: cannot unmarshal {GoKind(root)} into Go value of type api.{goTypeName}");
        }
    }

    /// <summary>Best-effort model name for the request log (never throws).</summary>
    public static string? TryGetModel(byte[] body)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            if (GoJsonScanner.Check(body, out bool eof, out int end) is not null || eof)
            {
                return null;
            }

            using JsonDocument doc = JsonDocument.Parse(body.AsMemory(0, end));
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            foreach (string key in new[] { "model", "name", "source" })
            {
                if (doc.RootElement.TryGetProperty(key, out JsonElement v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s)
                {
                    return s;
                }
            }
        }
        catch (JsonException)
        {
        }

        return null;
    }

    internal static string GoKind(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        JsonValueKind.Array => "array",
        JsonValueKind.Object => "object",
        _ => "null",
    };

    /// <summary>Go's field matching: exact name first, then case-insensitive; the last duplicate wins.</summary>
    public bool TryGet(string field, out JsonElement value)
    {
        value = default;
        if (!_hasObject)
        {
            return false;
        }

        bool found = false;
        foreach (JsonProperty p in _root.EnumerateObject())
        {
            if (string.Equals(p.Name, field, StringComparison.OrdinalIgnoreCase))
            {
                value = p.Value;
                found = true;
            }
        }

        return found && value.ValueKind != JsonValueKind.Null;
    }

    private ApiError TypeError(JsonElement e, string field, string goType)
    {
        string what = GoKind(e);
        if (e.ValueKind == JsonValueKind.Number && goType is "int" or "int64")
        {
            what = "number " + e.GetRawText();
        }

        return new ApiError(400, $"json: cannot unmarshal {what} into Go struct field {_typeName}.{field} of type {goType}");
    }

    public string GetString(string field)
    {
        if (!TryGet(field, out JsonElement v))
        {
            return string.Empty;
        }

        if (v.ValueKind != JsonValueKind.String)
        {
            throw TypeError(v, field, "string");
        }

        return v.GetString() ?? string.Empty;
    }

    public bool? GetBool(string field)
    {
        if (!TryGet(field, out JsonElement v))
        {
            return null;
        }

        if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            throw TypeError(v, field, "bool");
        }

        return v.GetBoolean();
    }

    public int GetInt(string field)
    {
        if (!TryGet(field, out JsonElement v))
        {
            return 0;
        }

        if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt32(out int i))
        {
            throw TypeError(v, field, "int");
        }

        return i;
    }

    public JsonElement? GetArray(string field, string goType)
    {
        if (!TryGet(field, out JsonElement v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw TypeError(v, field, goType);
        }

        return v;
    }

    public JsonElement? GetObject(string field, string goType)
    {
        if (!TryGet(field, out JsonElement v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Object)
        {
            throw TypeError(v, field, goType);
        }

        return v;
    }

    public JsonElement? GetRaw(string field) => TryGet(field, out JsonElement v) ? v : null;

    /// <summary>Ollama's api.Duration (keep_alive): null when absent.</summary>
    public TimeSpan? GetKeepAlive()
    {
        if (!TryGet("keep_alive", out JsonElement v))
        {
            return null;
        }

        return GoDuration.ParseKeepAlive(v);
    }
}

/// <summary>Go's time.ParseDuration and Ollama's api.Duration JSON rules.</summary>
public static class GoDuration
{
    /// <summary>What a negative keep_alive becomes: math.MaxInt64 nanoseconds (about 292 years).</summary>
    public static readonly TimeSpan Forever = TimeSpan.FromTicks(long.MaxValue / 100);

    internal static TimeSpan ParseKeepAlive(JsonElement v)
    {
        switch (v.ValueKind)
        {
            case JsonValueKind.Number:
                {
                    double seconds = v.GetDouble();
                    if (seconds < 0)
                    {
                        return Forever;
                    }

                    double ticks = seconds * TimeSpan.TicksPerSecond;
                    return ticks >= Forever.Ticks ? Forever : TimeSpan.FromTicks((long)ticks);
                }

            case JsonValueKind.String:
                {
                    string s = v.GetString() ?? string.Empty;
                    if (!TryParse(s, out TimeSpan d, out string? error))
                    {
                        throw new ApiError(400, error!);
                    }

                    return d < TimeSpan.Zero ? Forever : d;
                }

            case JsonValueKind.True:
            case JsonValueKind.False:
                throw new ApiError(400, "Unsupported type: 'bool'");
            case JsonValueKind.Array:
                throw new ApiError(400, "Unsupported type: '[]interface {}'");
            default:
                throw new ApiError(400, "Unsupported type: 'map[string]interface {}'");
        }
    }

    private static string Quote(string s)
    {
        var sb = new StringBuilder();
        GoJson.WriteString(sb, s);
        // strconv.Quote does not HTML-escape; undo the three HTML escapes.
        return sb.ToString().Replace("\\u003c", "<").Replace("\\u003e", ">").Replace("\\u0026", "&");
    }

    /// <summary>time.ParseDuration: "300ms", "-1.5h", "2h45m", "0"; a number without unit is an error.</summary>
    public static bool TryParse(string input, out TimeSpan result, out string? error)
    {
        result = TimeSpan.Zero;
        error = null;
        string orig = input;
        string s = input;
        bool neg = false;
        if (s.Length > 0 && (s[0] == '-' || s[0] == '+'))
        {
            neg = s[0] == '-';
            s = s.Substring(1);
        }

        if (s == "0")
        {
            return true;
        }

        if (s.Length == 0)
        {
            error = "time: invalid duration " + Quote(orig);
            return false;
        }

        decimal totalNs = 0;
        while (s.Length > 0)
        {
            int i = 0;
            if (!(s[0] == '.' || char.IsAsciiDigit(s[0])))
            {
                error = "time: invalid duration " + Quote(orig);
                return false;
            }

            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                i++;
            }

            string whole = s.Substring(0, i);
            string frac = string.Empty;
            if (i < s.Length && s[i] == '.')
            {
                int j = i + 1;
                while (j < s.Length && char.IsAsciiDigit(s[j]))
                {
                    j++;
                }

                frac = s.Substring(i + 1, j - i - 1);
                i = j;
            }

            if (whole.Length == 0 && frac.Length == 0)
            {
                error = "time: invalid duration " + Quote(orig);
                return false;
            }

            int u = i;
            while (u < s.Length && s[u] != '.' && !char.IsAsciiDigit(s[u]))
            {
                u++;
            }

            if (u == i)
            {
                error = "time: missing unit in duration " + Quote(orig);
                return false;
            }

            string unit = s.Substring(i, u - i);
            decimal mult = unit switch
            {
                "ns" => 1m,
                "us" or "\u00b5s" or "\u03bcs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => -1m,
            };
            if (mult < 0)
            {
                error = "time: unknown unit " + Quote(unit) + " in duration " + Quote(orig);
                return false;
            }

            decimal value = (whole.Length > 0 ? decimal.Parse(whole, CultureInfo.InvariantCulture) : 0m)
                + (frac.Length > 0 ? decimal.Parse("0." + frac, CultureInfo.InvariantCulture) : 0m);
            totalNs += value * mult;
            if (totalNs > long.MaxValue)
            {
                error = "time: invalid duration " + Quote(orig);
                return false;
            }

            s = s.Substring(u);
        }

        long ticks = (long)(totalNs / 100m);
        result = TimeSpan.FromTicks(neg ? -ticks : ticks);
        return true;
    }
}

/// <summary>A port of the relevant parts of Go's encoding/json scanner, for its exact error texts.</summary>
internal static class GoJsonScanner
{
    /// <summary>
    /// Checks the first JSON value of <paramref name="data"/>. Returns null when it is well-formed (then
    /// <paramref name="end"/> is the offset just after it), or Go's error text. <paramref name="eof"/> is true when
    /// there is no value at all (Go's io.EOF).
    /// </summary>
    public static string? Check(byte[] data, out bool eof, out int end)
    {
        eof = false;
        end = 0;
        int p = SkipWs(data, 0);
        if (p >= data.Length)
        {
            eof = true;
            return null;
        }

        try
        {
            end = Value(data, p, "looking for beginning of value");
            return null;
        }
        catch (ScanError e)
        {
            return e.Message;
        }
    }

    private sealed class ScanError : Exception
    {
        public ScanError(string message) : base(message)
        {
        }
    }

    private static int SkipWs(byte[] d, int p)
    {
        while (p < d.Length && (d[p] == ' ' || d[p] == '\t' || d[p] == '\n' || d[p] == '\r'))
        {
            p++;
        }

        return p;
    }

    private static ScanError Eof() => new("unexpected EOF");

    private static ScanError Bad(byte c, string context) => new($"invalid character {QuoteChar(c)} {context}");

    internal static string QuoteChar(byte c)
    {
        if (c == '\'')
        {
            return "'\\''";
        }

        if (c == '"')
        {
            return "'\"'";
        }

        string inner = c switch
        {
            (byte)'\a' => "\\a",
            (byte)'\b' => "\\b",
            (byte)'\f' => "\\f",
            (byte)'\n' => "\\n",
            (byte)'\r' => "\\r",
            (byte)'\t' => "\\t",
            (byte)'\v' => "\\v",
            (byte)'\\' => "\\\\",
            _ when c < 0x20 || c == 0x7f => "\\x" + c.ToString("x2", CultureInfo.InvariantCulture),
            _ when c >= 0x80 && c < 0xa0 => "\\u00" + c.ToString("x2", CultureInfo.InvariantCulture),
            _ => ((char)c).ToString(),
        };
        return "'" + inner + "'";
    }

    private static int Value(byte[] d, int p, string context)
    {
        if (p >= d.Length)
        {
            throw Eof();
        }

        byte c = d[p];
        switch (c)
        {
            case (byte)'{':
                return Object(d, p + 1);
            case (byte)'[':
                return Array(d, p + 1);
            case (byte)'"':
                return String(d, p + 1);
            case (byte)'t':
                return Literal(d, p, "true");
            case (byte)'f':
                return Literal(d, p, "false");
            case (byte)'n':
                return Literal(d, p, "null");
            default:
                if (c == '-' || (c >= '0' && c <= '9'))
                {
                    return Number(d, p);
                }

                throw Bad(c, context);
        }
    }

    private static int Literal(byte[] d, int p, string lit)
    {
        for (int i = 1; i < lit.Length; i++)
        {
            if (p + i >= d.Length)
            {
                throw Eof();
            }

            if (d[p + i] != lit[i])
            {
                throw Bad(d[p + i], $"in literal {lit} (expecting {QuoteChar((byte)lit[i])})");
            }
        }

        return p + lit.Length;
    }

    private static int Number(byte[] d, int p)
    {
        if (d[p] == '-')
        {
            p++;
            if (p >= d.Length)
            {
                throw Eof();
            }

            if (!(d[p] >= '0' && d[p] <= '9'))
            {
                throw Bad(d[p], "in numeric literal");
            }
        }

        if (d[p] == '0')
        {
            p++;
        }
        else
        {
            while (p < d.Length && d[p] >= '0' && d[p] <= '9')
            {
                p++;
            }
        }

        if (p < d.Length && d[p] == '.')
        {
            p++;
            if (p >= d.Length)
            {
                throw Eof();
            }

            if (!(d[p] >= '0' && d[p] <= '9'))
            {
                throw Bad(d[p], "after decimal point in numeric literal");
            }

            while (p < d.Length && d[p] >= '0' && d[p] <= '9')
            {
                p++;
            }
        }

        if (p < d.Length && (d[p] == 'e' || d[p] == 'E'))
        {
            p++;
            if (p < d.Length && (d[p] == '+' || d[p] == '-'))
            {
                p++;
            }

            if (p >= d.Length)
            {
                throw Eof();
            }

            if (!(d[p] >= '0' && d[p] <= '9'))
            {
                throw Bad(d[p], "in exponent of numeric literal");
            }

            while (p < d.Length && d[p] >= '0' && d[p] <= '9')
            {
                p++;
            }
        }

        return p;
    }

    private static bool IsHex(byte c) => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');

    private static int String(byte[] d, int p)
    {
        while (true)
        {
            if (p >= d.Length)
            {
                throw Eof();
            }

            byte c = d[p];
            if (c == '"')
            {
                return p + 1;
            }

            if (c == '\\')
            {
                p++;
                if (p >= d.Length)
                {
                    throw Eof();
                }

                byte e = d[p];
                if (e == 'u')
                {
                    for (int i = 1; i <= 4; i++)
                    {
                        if (p + i >= d.Length)
                        {
                            throw Eof();
                        }

                        if (!IsHex(d[p + i]))
                        {
                            throw Bad(d[p + i], "in \\u hexadecimal character escape");
                        }
                    }

                    p += 5;
                    continue;
                }

                if ("\"\\/bfnrt".IndexOf((char)e) < 0)
                {
                    throw Bad(e, "in string escape code");
                }

                p++;
                continue;
            }

            if (c < 0x20)
            {
                throw Bad(c, "in string literal");
            }

            p++;
        }
    }

    private static int Object(byte[] d, int p)
    {
        p = SkipWs(d, p);
        if (p >= d.Length)
        {
            throw Eof();
        }

        if (d[p] == '}')
        {
            return p + 1;
        }

        while (true)
        {
            if (p >= d.Length)
            {
                throw Eof();
            }

            if (d[p] != '"')
            {
                throw Bad(d[p], "looking for beginning of object key string");
            }

            p = String(d, p + 1);
            p = SkipWs(d, p);
            if (p >= d.Length)
            {
                throw Eof();
            }

            if (d[p] != ':')
            {
                throw Bad(d[p], "after object key");
            }

            p = SkipWs(d, p + 1);
            p = Value(d, p, "looking for beginning of value");
            p = SkipWs(d, p);
            if (p >= d.Length)
            {
                throw Eof();
            }

            if (d[p] == '}')
            {
                return p + 1;
            }

            if (d[p] != ',')
            {
                throw Bad(d[p], "after object key:value pair");
            }

            p = SkipWs(d, p + 1);
        }
    }

    private static int Array(byte[] d, int p)
    {
        p = SkipWs(d, p);
        if (p >= d.Length)
        {
            throw Eof();
        }

        if (d[p] == ']')
        {
            return p + 1;
        }

        while (true)
        {
            p = Value(d, p, "looking for beginning of value");
            p = SkipWs(d, p);
            if (p >= d.Length)
            {
                throw Eof();
            }

            if (d[p] == ']')
            {
                return p + 1;
            }

            if (d[p] != ',')
            {
                throw Bad(d[p], "after array element");
            }

            p = SkipWs(d, p + 1);
        }
    }
}
