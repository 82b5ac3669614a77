using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using ElixiModels.Ollama;

namespace ElixiModels.Models;

/// <summary>What /api/show says about a model: capabilities, architecture facts, template and parameters.</summary>
public sealed class ModelDetails
{
    private static readonly char[] Blanks = { ' ', '\t' };

    /// <summary>The manifest digest the details belong to (a new digest means new details).</summary>
    public string Digest { get; internal init; } = string.Empty;

    public IReadOnlyList<string> Capabilities { get; internal init; } = Array.Empty<string>();

    /// <summary>general.architecture, e.g. llama, qwen2, nomic-bert.</summary>
    public string? Architecture { get; internal init; }

    /// <summary>general.parameter_count.</summary>
    public long? ParameterCount { get; internal init; }

    /// <summary>&lt;arch&gt;.context_length: the context the model was trained for.</summary>
    public int? ContextLength { get; internal init; }

    /// <summary>&lt;arch&gt;.embedding_length.</summary>
    public int? EmbeddingLength { get; internal init; }

    /// <summary>&lt;arch&gt;.block_count: transformer layers (each holds a slice of the KV cache).</summary>
    public int? BlockCount { get; internal init; }

    /// <summary>&lt;arch&gt;.attention.head_count (the largest, when it is given per layer).</summary>
    public int? HeadCount { get; internal init; }

    /// <summary>&lt;arch&gt;.attention.head_count_kv (the largest, when given per layer); equals HeadCount without grouped-query attention.</summary>
    public int? HeadCountKv { get; internal init; }

    /// <summary>&lt;arch&gt;.attention.key_length, when the model declares it (else embedding length / heads).</summary>
    public int? KeyLength { get; internal init; }

    /// <summary>&lt;arch&gt;.attention.value_length, when the model declares it (else embedding length / heads).</summary>
    public int? ValueLength { get; internal init; }

    /// <summary>&lt;arch&gt;.vocab_size, or the length of tokenizer.ggml.tokens when the server sends it.</summary>
    public int? VocabSize { get; internal init; }

    public string? Template { get; internal init; }

    /// <summary>The Modelfile PARAMETERs; a parameter given several times (stop) has its values joined with ", ".</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; internal init; } = new Dictionary<string, string>();

    public static ModelDetails FromShow(WireShow show, string digest)
    {
        Dictionary<string, JsonElement> info = show.ModelInfo ?? new Dictionary<string, JsonElement>();
        string? arch = info.TryGetValue("general.architecture", out JsonElement a) && a.ValueKind == JsonValueKind.String ? a.GetString() : null;
        return new ModelDetails
        {
            Digest = digest,
            Capabilities = Normalize(show.Capabilities),
            Architecture = arch,
            ParameterCount = Integer(info, "general.parameter_count"),
            ContextLength = Count(ArchInteger(info, arch, "context_length"), "context_length"),
            EmbeddingLength = Count(ArchInteger(info, arch, "embedding_length"), "embedding_length"),
            BlockCount = Count(ArchInteger(info, arch, "block_count"), "block_count"),
            HeadCount = Count(ArchInteger(info, arch, "attention.head_count"), "attention.head_count"),
            HeadCountKv = Count(ArchInteger(info, arch, "attention.head_count_kv"), "attention.head_count_kv"),
            KeyLength = Count(ArchInteger(info, arch, "attention.key_length"), "attention.key_length"),
            ValueLength = Count(ArchInteger(info, arch, "attention.value_length"), "attention.value_length"),
            VocabSize = Count(ArchInteger(info, arch, "vocab_size"), "vocab_size")
                ?? (info.TryGetValue("tokenizer.ggml.tokens", out JsonElement tokens) && tokens.ValueKind == JsonValueKind.Array ? tokens.GetArrayLength() : null),
            Template = show.Template,
            Parameters = ParseParameters(show.Parameters),
        };
    }

    /// <summary>
    /// The facts Ollama 0.30+ lists in /api/tags (capabilities, context and embedding length), so that ranking needs no
    /// /api/show; null when the server did not list them (0.23).
    /// </summary>
    public static ModelDetails? FromTags(WireModel model)
    {
        if (model.Capabilities is null)
        {
            return null;
        }

        return new ModelDetails
        {
            Digest = model.Digest,
            Capabilities = Normalize(model.Capabilities),
            ContextLength = model.Details?.ContextLength is > 0 ? model.Details.ContextLength : null,
            EmbeddingLength = model.Details?.EmbeddingLength is > 0 ? model.Details.EmbeddingLength : null,
        };
    }

    internal static string[] Normalize(IEnumerable<string>? capabilities) =>
        (capabilities ?? Array.Empty<string>()).Where(c => !string.IsNullOrWhiteSpace(c)).Select(c => c.ToLowerInvariant()).ToArray();

    /// <summary>Parses /api/show "parameters": one "name value" per line, values in Go quoting when strings.</summary>
    public static IReadOnlyDictionary<string, string> ParseParameters(string? text)
    {
        var values = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
        var order = new List<string>();
        foreach (string raw in (text ?? string.Empty).Split('\n'))
        {
            string line = raw.Trim();
            int space = line.IndexOfAny(Blanks);
            if (space <= 0)
            {
                continue;
            }

            string name = line.Substring(0, space);
            string value = line.Substring(space + 1).Trim();
            if (value.Length >= 2 && value[0] == '"' && value[value.Length - 1] == '"')
            {
                value = value.Substring(1, value.Length - 2).Replace("\\\"", "\"").Replace("\\\\", "\\");
            }

            if (!values.TryGetValue(name, out List<string>? list))
            {
                values[name] = list = new List<string>();
                order.Add(name);
            }

            list.Add(value);
        }

        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (string name in order)
        {
            result[name] = string.Join(", ", values[name]);
        }

        return result;
    }

    // A count that does not fit is a broken answer, never silently wrapped (2^32 would become 0).
    private static int? Count(long? value, string field) => value switch
    {
        null => null,
        < 0 or > int.MaxValue => throw new System.IO.InvalidDataException($"model_info {field} is {value}, which no model has"),
        _ => (int)value.Value,
    };

    private static long? ArchInteger(Dictionary<string, JsonElement> info, string? arch, string field)
    {
        if (arch is not null && Integer(info, arch + "." + field) is { } exact)
        {
            return exact;
        }

        // Some GGUFs name the key after a sub-architecture; take the one key that ends with the field.
        string suffix = "." + field;
        int dots = field.Count(c => c == '.') + 1;
        return info.Keys.Where(k => k.EndsWith(suffix, StringComparison.Ordinal) && k.Count(c => c == '.') == dots)
            .Select(k => Integer(info, k)).FirstOrDefault(v => v is not null);
    }

    private static long? Integer(Dictionary<string, JsonElement> info, string key)
    {
        if (!info.TryGetValue(key, out JsonElement e))
        {
            return null;
        }

        return e.ValueKind switch
        {
            JsonValueKind.Number when e.TryGetInt64(out long n) => n,
            JsonValueKind.Number => e.GetDouble() is var d && d >= long.MinValue && d <= long.MaxValue
                ? (long)d
                : throw new System.IO.InvalidDataException($"model_info {key} is {e.GetRawText()}, out of range"),
            JsonValueKind.String when long.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) => s,
            // Given per layer (e.g. head_count_kv of models mixing attention and recurrent layers): the largest.
            JsonValueKind.Array => e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number && x.TryGetInt64(out _)).Select(x => (long?)x.GetInt64()).Max(),
            _ => null,
        };
    }
}
