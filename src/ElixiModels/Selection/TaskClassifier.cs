using System;
using System.Collections.Generic;
using System.Linq;

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

    /// <summary>The task types for a model, most suitable first, each with the rule that gave it.</summary>
    public static IReadOnlyList<TaskMatch> Classify(ModelTraits model)
    {
        var caps = new HashSet<string>(model.Capabilities, StringComparer.OrdinalIgnoreCase);
        string[] tokens = Tokens(model.Name);
        var families = new HashSet<string>(model.Families.Append(model.Family ?? string.Empty).Where(f => f.Length > 0), StringComparer.OrdinalIgnoreCase);
        long? parameters = model.ParameterCount;
        var result = new List<TaskMatch>();

        bool embedding = caps.Contains("embedding")
            || (caps.Count == 0 && (families.Any(f => f.EndsWith("bert", StringComparison.OrdinalIgnoreCase)) || tokens.Any(t => t.StartsWith("embed", StringComparison.Ordinal))));
        if (embedding && !caps.Contains("completion"))
        {
            result.Add(new TaskMatch(ModelTask.Embedding, caps.Contains("embedding") ? "reports the 'embedding' capability" : "is an embedding architecture"));
            return result;
        }

        bool coding = caps.Contains("insert") || tokens.Any(t => t is "code" or "coder" or "coding" or "codestral" or "starcoder" or "starcoder2" or "codegemma" or "codellama" or "devstral");
        bool reasoning = caps.Contains("thinking") || tokens.Any(t => t is "r1" or "reason" or "reasoning" or "think" or "thinking" or "math" or "qwq");

        if (coding)
        {
            result.Add(new TaskMatch(ModelTask.Coding, caps.Contains("insert") ? "supports fill-in-the-middle ('insert')" : "is tuned for code (name)"));
        }

        if (caps.Contains("vision") || families.Any(f => f is "clip" or "mllama") || tokens.Any(t => t is "vision" or "vl" or "llava"))
        {
            result.Add(new TaskMatch(ModelTask.Vision, caps.Contains("vision") ? "reports the 'vision' capability" : "has an image encoder"));
        }

        if (reasoning)
        {
            result.Add(new TaskMatch(ModelTask.Analysis, caps.Contains("thinking") ? "reports the 'thinking' capability" : "is tuned for reasoning (name)"));
        }
        else if (!coding && parameters >= AnalysisMinimum)
        {
            result.Add(new TaskMatch(ModelTask.Analysis, $"is a large general model ({Size(parameters.Value)})"));
        }

        if (!coding)
        {
            result.Add(new TaskMatch(ModelTask.General, "can chat and is not specialised"));
            if (parameters >= CreativeMinimum)
            {
                result.Add(new TaskMatch(ModelTask.Creative, $"is a general model of {Size(parameters.Value)}, large enough for prose"));
            }
        }

        if (parameters is > 0 and <= FastLimit)
        {
            result.Add(new TaskMatch(ModelTask.Fast, $"is small ({Size(parameters.Value)}), so it answers quickly"));
        }

        if (caps.Contains("tools"))
        {
            result.Add(new TaskMatch(ModelTask.Tools, "reports the 'tools' capability"));
        }

        return result;
    }

    /// <summary>Lower-case task names, as the TaskTypes property shows them.</summary>
    public static IReadOnlyList<string> TaskNames(ModelTraits model) =>
        Classify(model).Select(m => Name(m.Task)).ToList();

    public static string Name(ModelTask task) => task.ToString().ToLowerInvariant();

    private static string Size(long parameters) => Models.Units.ParameterSize(parameters);

    private static string[] Tokens(string name)
    {
        string lower = (name ?? string.Empty).ToLowerInvariant();
        return lower.Split(new[] { '/', ':', '-', '_', '.', ' ' }, StringSplitOptions.RemoveEmptyEntries)
            .SelectMany(t => new[] { t, t.TrimEnd('0', '1', '2', '3', '4', '5', '6', '7', '8', '9') })
            .Where(t => t.Length > 0)
            .Distinct()
            .ToArray();
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
