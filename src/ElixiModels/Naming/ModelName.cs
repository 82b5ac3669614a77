using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.RegularExpressions;

namespace ElixiModels.Models;

/// <summary>
/// An Ollama model reference: [host/][namespace/]model[:tag], validated by Ollama's own rules before it can reach a
/// URL or a request body.
/// </summary>
public sealed class ModelName : IEquatable<ModelName>
{
    public const string DefaultTag = "latest";

    /// <summary>The registry Ollama pulls from when a name has no host.</summary>
    public const string DefaultRegistryHost = "registry.ollama.ai";
    private const string Part = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}";
    private static readonly Regex NamePattern = new(
        $@"^(?:(?<host>[A-Za-z0-9_][A-Za-z0-9_.:-]{{0,349}})/)?(?:(?<ns>[A-Za-z0-9_][A-Za-z0-9_-]{{0,79}})/)?(?<model>{Part})(?::(?<tag>{Part}))?$",
        RegexOptions.CultureInvariant | RegexOptions.Compiled);

    private ModelName(string? host, string? ns, string model, string tag)
    {
        RegistryHost = host;
        Namespace = ns;
        Model = model;
        Tag = tag;
    }

    public string? RegistryHost { get; }
    public string? Namespace { get; }
    public string Model { get; }
    public string Tag { get; }

    /// <summary>The name as Ollama lists it: [host/][ns/]model:tag (library names without "library/").</summary>
    public string FullName => Prefix + Model + ":" + Tag;

    /// <summary>Without the tag.</summary>
    public string BaseName => Prefix + Model;

    private string Prefix => (RegistryHost is null ? string.Empty : RegistryHost + "/") + (Namespace is null ? string.Empty : Namespace + "/");

    /// <summary>Parses a model name; returns false with a reason for anything Ollama would reject.</summary>
    public static bool TryParse(string? text, out ModelName? name, out string? problem)
    {
        name = null;
        string s = (text ?? string.Empty).Trim();
        if (s.Length == 0)
        {
            problem = "The model name is empty.";
            return false;
        }

        if (s.Length > 512)
        {
            problem = $"The model name is {s.Length} characters long; Ollama names are at most a few hundred.";
            return false;
        }

        if (PathProblem(s) is { } pathProblem)
        {
            problem = pathProblem;
            return false;
        }

        Match m = NamePattern.Match(s);
        if (!m.Success)
        {
            problem = $"'{s}' is not a valid Ollama model name (expected name[:tag], e.g. llama3.2:3b; letters, digits, '_', '-', '.').";
            return false;
        }

        string? host = m.Groups["host"].Success ? m.Groups["host"].Value : null;
        string? ns = m.Groups["ns"].Success ? m.Groups["ns"].Value : null;
        if (host is not null && ns is null && !host.Contains(".") && !host.Contains(":"))
        {
            // "user/model": one slash means a namespace, as in Ollama.
            ns = host;
            host = null;
        }

        // As Ollama's ParseName: registry.ollama.ai is the default host and library the default namespace, so
        // registry.ollama.ai/library/gemma3:1b, library/gemma3:1b and gemma3:1b are one model.
        if (string.Equals(host, DefaultRegistryHost, StringComparison.OrdinalIgnoreCase))
        {
            host = null;
        }

        if (string.Equals(ns, "library", StringComparison.OrdinalIgnoreCase) && host is null)
        {
            ns = null;
        }

        string tag = m.Groups["tag"].Success ? m.Groups["tag"].Value : DefaultTag;
        name = new ModelName(host, ns, m.Groups["model"].Value, tag);
        problem = null;
        return true;
    }

    /// <summary>Why <paramref name="s"/> could climb or separate paths in a URL or on disk, or null when it cannot.</summary>
    internal static string? PathProblem(string s) =>
        s.Contains("..") || s.Contains("\\") || s.StartsWith("/", StringComparison.Ordinal) || s.EndsWith("/", StringComparison.Ordinal)
            ? $"'{s}' is not a model name: names cannot contain '..', '\\' or start or end with '/'."
            : null;

    /// <summary>Parses or throws <see cref="ArgumentException"/> with the reason.</summary>
    public static ModelName Parse(string? text) =>
        TryParse(text, out ModelName? name, out string? problem) ? name! : throw new ArgumentException(problem);

    /// <summary>The full name of <paramref name="text"/> (":latest" added), or the text itself if it is not valid.</summary>
    public static string Normalize(string? text)
    {
        // Names as servers list them ("llama3.2:3b") are already normal; listings normalize hundreds at a time.
        if (text is { Length: > 0 } && IsAlreadyNormal(text))
        {
            return text;
        }

        return TryParse(text, out ModelName? name, out _) ? name!.FullName : (text ?? string.Empty).Trim();
    }

    /// <summary>The text of a normal name up to its tag ("llama3.2:3b" → "llama3.2"), and its tag.</summary>
    internal static (string BaseName, string Tag) SplitNormal(string normal)
    {
        int colon = normal.LastIndexOf(':');
        return colon > normal.LastIndexOf('/') && colon > 0 ? (normal.Substring(0, colon), normal.Substring(colon + 1)) : (normal, string.Empty);
    }

    // True when Normalize would return the text unchanged either way: trimmed, tagged, not in the implied "library/".
    private static bool IsAlreadyNormal(string text)
    {
        int colon = text.LastIndexOf(':');
        return colon > 0 && colon < text.Length - 1 && colon > text.LastIndexOf('/')
            && !char.IsWhiteSpace(text[0]) && !char.IsWhiteSpace(text[text.Length - 1])
            && !text.StartsWith("library/", StringComparison.OrdinalIgnoreCase)
            && !text.StartsWith(DefaultRegistryHost + "/", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// The installed models a literal name (no wildcards) refers to, the same way in every cmdlet: a name with a tag
    /// is that model; a bare name is name:latest when that is installed, else every installed tag of the model (one
    /// tag: that model). Empty when nothing matches or the name is not valid.
    /// </summary>
    public static IReadOnlyList<string> Resolve(string text, IEnumerable<string> installed)
    {
        if (!TryParse(text, out ModelName? name, out _))
        {
            return Array.Empty<string>();
        }

        var all = new List<string>();
        foreach (string i in installed)
        {
            all.Add(Normalize(i));
        }

        if (HasTag(text))
        {
            return all.Where(i => string.Equals(i, name!.FullName, StringComparison.OrdinalIgnoreCase)).Take(1).ToList();
        }

        string? latest = all.FirstOrDefault(i => string.Equals(i, name!.FullName, StringComparison.OrdinalIgnoreCase));
        return latest is not null
            ? new[] { latest }
            : all.Where(i => TryParse(i, out ModelName? p, out _) && string.Equals(p!.BaseName, name!.BaseName, StringComparison.OrdinalIgnoreCase))
                .Distinct(StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>Whether the text names a tag (a ':' after the last '/').</summary>
    public static bool HasTag(string text)
    {
        string s = text.Trim();
        int colon = s.LastIndexOf(':');
        return colon > s.LastIndexOf('/') && colon < s.Length - 1;
    }

    /// <summary>Whether two names refer to the same model (case-insensitive, ":latest" implied).</summary>
    public static bool SameModel(string? a, string? b) =>
        string.Equals(Normalize(a), Normalize(b), StringComparison.OrdinalIgnoreCase);

    public bool Equals(ModelName? other) => other is not null && string.Equals(FullName, other.FullName, StringComparison.OrdinalIgnoreCase);

    public override bool Equals(object? obj) => Equals(obj as ModelName);

    public override int GetHashCode() => StringComparer.OrdinalIgnoreCase.GetHashCode(FullName);

    public override string ToString() => FullName;
}
