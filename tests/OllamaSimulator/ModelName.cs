using System;

namespace OllamaSimulator;

/// <summary>Ollama's model.Name parsing (types/model/name.go): host/namespace/model:tag with defaults.</summary>
public readonly record struct ModelName(string Host, string Namespace, string Model, string Tag)
{
    public const string DefaultHost = "registry.ollama.ai";
    public const string DefaultNamespace = "library";
    public const string DefaultTag = "latest";
    private const string Missing = "!MISSING!";

    /// <summary>Parses with defaults merged in; check <see cref="IsValid"/>.</summary>
    public static ModelName Parse(string? s)
    {
        s ??= string.Empty;
        int at = s.IndexOf('@');
        if (at >= 0)
        {
            s = s.Substring(0, at);
        }

        string host = string.Empty, ns = string.Empty, model, tag = string.Empty;
        if (s.LastIndexOf(':') > s.LastIndexOf('/'))
        {
            (s, tag) = CutPromised(s, ':');
        }

        (string before, string after, bool promised) = CutLast(s, '/');
        if (!promised)
        {
            model = s;
        }
        else
        {
            model = after.Length == 0 ? Missing : after;
            s = before.Length == 0 ? Missing : before;
            (before, after, promised) = CutLast(s, '/');
            if (!promised)
            {
                ns = s;
            }
            else
            {
                ns = after.Length == 0 ? Missing : after;
                s = before.Length == 0 ? Missing : before;
                int scheme = s.IndexOf("://", StringComparison.Ordinal);
                host = scheme >= 0 ? s.Substring(scheme + 3) : s;
            }
        }

        return new ModelName(
            host.Length == 0 ? DefaultHost : host,
            ns.Length == 0 ? DefaultNamespace : ns,
            model,
            tag.Length == 0 ? DefaultTag : tag);
    }

    private static (string Before, string After) CutPromised(string s, char sep)
    {
        (string before, string after, bool ok) = CutLast(s, sep);
        if (!ok)
        {
            return (s, string.Empty);
        }

        return (before.Length == 0 ? Missing : before, after.Length == 0 ? Missing : after);
    }

    private static (string Before, string After, bool Ok) CutLast(string s, char sep)
    {
        int i = s.LastIndexOf(sep);
        return i >= 0 ? (s.Substring(0, i), s.Substring(i + 1), true) : (s, string.Empty, false);
    }

    private enum Kind
    {
        Host,
        Namespace,
        Model,
        Tag,
    }

    private static bool ValidPart(Kind kind, string s)
    {
        int max = kind == Kind.Host ? 350 : 80;
        if (s.Length < 1 || s.Length > max || s.Contains("..", StringComparison.Ordinal))
        {
            return false;
        }

        for (int i = 0; i < s.Length; i++)
        {
            char c = s[i];
            bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            if (i == 0)
            {
                if (!alnum)
                {
                    return false;
                }

                continue;
            }

            switch (c)
            {
                case '-':
                    break;
                case '.':
                    if (kind == Kind.Namespace)
                    {
                        return false;
                    }

                    break;
                case ':':
                    if (kind != Kind.Host)
                    {
                        return false;
                    }

                    break;
                default:
                    if (!alnum)
                    {
                        return false;
                    }

                    break;
            }
        }

        return true;
    }

    public bool IsValid =>
        ValidPart(Kind.Host, Host) && ValidPart(Kind.Namespace, Namespace) && ValidPart(Kind.Model, Model) && ValidPart(Kind.Tag, Tag);

    /// <summary>Ollama's DisplayShortest: "llama3.2:3b", "user/model:tag" or "host/ns/model:tag".</summary>
    public string DisplayShortest
    {
        get
        {
            bool defaultHost = string.Equals(Host, DefaultHost, StringComparison.OrdinalIgnoreCase);
            if (defaultHost && string.Equals(Namespace, DefaultNamespace, StringComparison.OrdinalIgnoreCase))
            {
                return Model + ":" + Tag;
            }

            if (defaultHost)
            {
                return Namespace + "/" + Model + ":" + Tag;
            }

            return Host + "/" + Namespace + "/" + Model + ":" + Tag;
        }
    }

    /// <summary>The full name, e.g. "registry.ollama.ai/library/llama3.2:3b".</summary>
    public override string ToString() => Host + "/" + Namespace + "/" + Model + ":" + Tag;

    /// <summary>Normalizes a user-supplied name to its display form, or null when it is not a valid name.</summary>
    public static string? Normalize(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        ModelName n = Parse(raw);
        return n.IsValid ? n.DisplayShortest : null;
    }
}
