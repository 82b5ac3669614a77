using System;
using System.Collections.Generic;

namespace ElixiModels.Selection;

/// <summary>What the classifier looks at: all of it is reported by Ollama (/api/tags, /api/show) or the catalog.</summary>
public sealed class ModelTraits
{
    public string Name { get; set; } = string.Empty;
    public string? Family { get; set; }
    public IReadOnlyList<string> Families { get; set; } = Array.Empty<string>();
    public IReadOnlyList<string> Capabilities { get; set; } = Array.Empty<string>();
    public long? ParameterCount { get; set; }
    public long SizeBytes { get; set; }
}

/// <summary>
/// Assigns task types to a model. The rules, in order (documented in the README, "How models are classified"):
/// <list type="number">
/// <item>Capabilities first, when Ollama reports them: "embedding" → embedding only (an embedding model cannot chat);
/// "vision" → vision; "tools" → tools; "insert" (fill-in-the-middle) → coding; "thinking" → analysis.</item>
/// <item>Without capabilities (a plain listing), the same facts from the architecture: a *bert family or a name
/// token "embed" → embedding; a "clip"/"mllama" family or a name token "vision"/"vl"/"llava" → vision.</item>
/// <item>Name tokens that say what a model was tuned for: "code"/"coder"/"coding" → coding; "r1", "reason",
/// "reasoning", "think", "math", "qwq" → analysis.</item>
/// <item>Size: up to 4 B parameters → fast; 7 B and more (not code-tuned) → analysis; 3 B and more (not code-tuned) →
/// creative. Every model that can chat and is not code-tuned → general.</item>
/// </list>
/// </summary>
public static class TaskClassifier
{
    private const long FastLimit = 4_500_000_000;
    private const long AnalysisMinimum = 7_000_000_000;
    private const long CreativeMinimum = 3_000_000_000;

    private static readonly string[] CodeTokens = { "code", "coder", "coding", "codestral", "starcoder", "codegemma", "codellama", "devstral" };
    private static readonly string[] ReasoningTokens = { "r1", "reason", "reasoning", "think", "thinking", "math", "qwq" };
    private static readonly string[] VisionTokens = { "vision", "vl", "llava" };

    /// <summary>The task types for a model, most suitable first, each with the rule that gave it.</summary>
    public static IReadOnlyList<TaskMatch> Classify(ModelTraits model) => Evaluate(model, withReasons: true);

    /// <summary>Lower-case task names, as the TaskTypes property shows them.</summary>
    public static IReadOnlyList<string> TaskNames(ModelTraits model)
    {
        List<TaskMatch> matches = Evaluate(model, withReasons: false);
        var names = new string[matches.Count];
        for (int i = 0; i < names.Length; i++)
        {
            names[i] = Name(matches[i].Task);
        }

        return names;
    }

    public static string Name(ModelTask task) => task switch
    {
        ModelTask.General => "general",
        ModelTask.Coding => "coding",
        ModelTask.Analysis => "analysis",
        ModelTask.Creative => "creative",
        ModelTask.Fast => "fast",
        ModelTask.Vision => "vision",
        ModelTask.Embedding => "embedding",
        _ => "tools",
    };

    // Listing hundreds of models classifies each one, so this avoids LINQ, sets and formatting unless reasons are asked for.
    private static List<TaskMatch> Evaluate(ModelTraits model, bool withReasons)
    {
        IReadOnlyList<string> caps = model.Capabilities;
        List<string> tokens = Tokens(model.Name);
        long? parameters = model.ParameterCount;
        var result = new List<TaskMatch>(5);
        string Why(Func<string> reason) => withReasons ? reason() : string.Empty;

        bool hasEmbedding = Has(caps, "embedding");
        bool embedding = hasEmbedding
            || (caps.Count == 0 && (FamilyEndsWith(model, "bert") || tokens.Exists(t => t.StartsWith("embed", StringComparison.Ordinal))));
        if (embedding && !Has(caps, "completion"))
        {
            result.Add(new TaskMatch(ModelTask.Embedding, Why(() => hasEmbedding ? "reports the 'embedding' capability" : "is an embedding architecture")));
            return result;
        }

        bool insert = Has(caps, "insert");
        bool thinking = Has(caps, "thinking");
        bool coding = insert || AnyToken(tokens, CodeTokens);
        bool reasoning = thinking || AnyToken(tokens, ReasoningTokens);

        if (coding)
        {
            result.Add(new TaskMatch(ModelTask.Coding, Why(() => insert ? "supports fill-in-the-middle ('insert')" : "is tuned for code (name)")));
        }

        bool vision = Has(caps, "vision");
        if (vision || HasFamily(model, "clip") || HasFamily(model, "mllama") || AnyToken(tokens, VisionTokens))
        {
            result.Add(new TaskMatch(ModelTask.Vision, Why(() => vision ? "reports the 'vision' capability" : "has an image encoder")));
        }

        if (reasoning)
        {
            result.Add(new TaskMatch(ModelTask.Analysis, Why(() => thinking ? "reports the 'thinking' capability" : "is tuned for reasoning (name)")));
        }
        else if (!coding && parameters >= AnalysisMinimum)
        {
            result.Add(new TaskMatch(ModelTask.Analysis, Why(() => $"is a large general model ({Size(parameters!.Value)})")));
        }

        if (!coding)
        {
            result.Add(new TaskMatch(ModelTask.General, Why(() => "can chat and is not specialised")));
            if (parameters >= CreativeMinimum)
            {
                result.Add(new TaskMatch(ModelTask.Creative, Why(() => $"is a general model of {Size(parameters!.Value)}, large enough for prose")));
            }
        }

        if (parameters is > 0 and <= FastLimit)
        {
            result.Add(new TaskMatch(ModelTask.Fast, Why(() => $"is small ({Size(parameters!.Value)}), so it answers quickly")));
        }

        if (Has(caps, "tools"))
        {
            result.Add(new TaskMatch(ModelTask.Tools, Why(() => "reports the 'tools' capability")));
        }

        return result;
    }

    private static string Size(long parameters) => Models.Units.ParameterSize(parameters);

    private static bool Has(IReadOnlyList<string> values, string wanted)
    {
        for (int i = 0; i < values.Count; i++)
        {
            if (string.Equals(values[i], wanted, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool HasFamily(ModelTraits model, string family) =>
        string.Equals(model.Family, family, StringComparison.OrdinalIgnoreCase) || Has(model.Families, family);

    private static bool FamilyEndsWith(ModelTraits model, string suffix)
    {
        if (model.Family?.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) == true)
        {
            return true;
        }

        for (int i = 0; i < model.Families.Count; i++)
        {
            if (model.Families[i].EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    private static bool AnyToken(List<string> tokens, string[] wanted)
    {
        foreach (string t in tokens)
        {
            if (Array.IndexOf(wanted, t) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    // Lower-case name parts split at / : - _ . and space, each also without trailing digits ("qwen2" → "qwen").
    private static List<string> Tokens(string? name)
    {
        var tokens = new List<string>(8);
        string lower = (name ?? string.Empty).ToLowerInvariant();
        int start = 0;
        for (int i = 0; i <= lower.Length; i++)
        {
            if (i < lower.Length && lower[i] is not ('/' or ':' or '-' or '_' or '.' or ' '))
            {
                continue;
            }

            if (i > start)
            {
                string token = lower.Substring(start, i - start);
                tokens.Add(token);
                int end = token.Length;
                while (end > 0 && char.IsDigit(token[end - 1]))
                {
                    end--;
                }

                if (end > 0 && end < token.Length)
                {
                    tokens.Add(token.Substring(0, end));
                }
            }

            start = i + 1;
        }

        return tokens;
    }
}

/// <summary>A task a model suits, and the rule that decided it.</summary>
public sealed class TaskMatch
{
    public TaskMatch(ModelTask task, string because)
    {
        Task = task;
        Because = because;
    }

    public ModelTask Task { get; }

    public string Because { get; }

    public override string ToString() => $"{TaskClassifier.Name(Task)}: {Because}";
}
