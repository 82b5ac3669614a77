using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace OllamaSimulator;

/// <summary>Gin-like routing: exact routes, a few pattern routes, 404/405 as Gin writes them, trailing-slash redirects.</summary>
internal sealed class Router
{
    private delegate Task Handler(Req req);

    private readonly Dictionary<string, Dictionary<string, Handler>> _exact = new(StringComparer.Ordinal);
    private readonly List<(string[] Segments, string Method, Handler Handler)> _patterns = new();

    public Router()
    {
        var models = new ModelHandlers();
        var inference = new InferenceHandlers();
        var pull = new PullHandler();
        var registry = new RegistrySimulator();
        var openai = new OpenAiHandlers();

        Add("HEAD", "/", r => Http.TextAsync(r.Http, 200, "Ollama is running", "text/plain; charset=utf-8", r.Ct));
        Add("GET", "/", r => Http.TextAsync(r.Http, 200, "Ollama is running", "text/plain; charset=utf-8", r.Ct));
        Add("HEAD", "/api/version", models.VersionAsync);
        Add("GET", "/api/version", models.VersionAsync);
        Add("GET", "/api/status", models.StatusAsync);

        Add("POST", "/api/pull", pull.PullAsync);
        Add("POST", "/api/push", models.NotSupportedAsync);
        Add("HEAD", "/api/tags", models.TagsAsync);
        Add("GET", "/api/tags", models.TagsAsync);
        Add("POST", "/api/show", models.ShowAsync);
        Add("DELETE", "/api/delete", models.DeleteAsync);
        Add("POST", "/api/me", models.NotSupportedAsync);
        Add("POST", "/api/signout", models.NotSupportedAsync);
        AddPattern("DELETE", "/api/user/keys/{key}", models.NotSupportedAsync);

        Add("POST", "/api/create", models.NotSupportedAsync);
        AddPattern("POST", "/api/blobs/{digest}", models.NotSupportedAsync);
        AddPattern("HEAD", "/api/blobs/{digest}", models.HeadBlobAsync);
        Add("POST", "/api/copy", models.CopyAsync);

        Add("GET", "/api/ps", models.PsAsync);
        Add("POST", "/api/generate", inference.GenerateAsync);
        Add("POST", "/api/chat", inference.ChatAsync);
        Add("POST", "/api/embed", inference.EmbedAsync);
        Add("POST", "/api/embeddings", inference.EmbeddingsAsync);

        Add("POST", "/v1/chat/completions", openai.ChatCompletionsAsync);
        Add("POST", "/v1/completions", openai.CompletionsAsync);
        Add("POST", "/v1/embeddings", openai.EmbeddingsAsync);
        Add("GET", "/v1/models", openai.ModelsAsync);
        AddPattern("GET", "/v1/models/{model*}", openai.ModelAsync);

        // The registry (registry.ollama.ai) manifest endpoints, for update checks.
        AddPattern("HEAD", "/v2/{repo*}/manifests/{tag}", registry.ManifestAsync);
        AddPattern("GET", "/v2/{repo*}/manifests/{tag}", registry.ManifestAsync);
    }

    private void Add(string method, string path, Handler handler)
    {
        if (!_exact.TryGetValue(path, out Dictionary<string, Handler>? byMethod))
        {
            byMethod = new Dictionary<string, Handler>(StringComparer.Ordinal);
            _exact[path] = byMethod;
        }

        byMethod[method] = handler;
    }

    private void AddPattern(string method, string pattern, Handler handler) =>
        _patterns.Add((pattern.Trim('/').Split('/'), method, handler));

    private static bool Match(string[] pattern, string path, Dictionary<string, string>? captured)
    {
        string[] parts = path.Trim('/').Split('/');
        if (path.Length > 1 && path.EndsWith('/'))
        {
            return false;
        }

        // Supports at most one "{x*}" (one or more segments) in the pattern.
        int star = Array.FindIndex(pattern, p => p.EndsWith("*}", StringComparison.Ordinal));
        if (star < 0)
        {
            if (parts.Length != pattern.Length)
            {
                return false;
            }
        }
        else if (parts.Length < pattern.Length)
        {
            return false;
        }

        int extra = parts.Length - pattern.Length;
        int pi = 0;
        for (int i = 0; i < pattern.Length; i++)
        {
            string seg = pattern[i];
            if (seg.StartsWith('{'))
            {
                string name = seg.Trim('{', '}', '*');
                string value;
                if (i == star)
                {
                    value = string.Join('/', parts, pi, extra + 1);
                    pi += extra + 1;
                }
                else
                {
                    value = parts[pi++];
                }

                if (value.Length == 0)
                {
                    return false;
                }

                if (captured is not null)
                {
                    captured[name] = value;
                }
            }
            else if (!string.Equals(seg, parts[pi++], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    private Handler? Find(string method, string path, Dictionary<string, string>? captured)
    {
        if (_exact.TryGetValue(path, out Dictionary<string, Handler>? byMethod) && byMethod.TryGetValue(method, out Handler? h))
        {
            return h;
        }

        foreach ((string[] segments, string m, Handler handler) in _patterns)
        {
            if (m == method && Match(segments, path, captured))
            {
                return handler;
            }
        }

        return null;
    }

    private List<string> AllowedMethods(string path)
    {
        var methods = new List<string>();
        if (_exact.TryGetValue(path, out Dictionary<string, Handler>? byMethod))
        {
            methods.AddRange(byMethod.Keys);
        }

        foreach ((string[] segments, string m, Handler _) in _patterns)
        {
            if (!methods.Contains(m) && Match(segments, path, null))
            {
                methods.Add(m);
            }
        }

        return methods;
    }

    public async Task DispatchAsync(Req req)
    {
        Handler? handler = Find(req.Method, req.Path, req.Params);
        if (handler is not null)
        {
            await handler(req).ConfigureAwait(false);
            return;
        }

        // Gin's RedirectTrailingSlash.
        if (req.Path.Length > 1)
        {
            string alt = req.Path.EndsWith('/') ? req.Path.TrimEnd('/') : req.Path + "/";
            if (alt.Length > 0 && Find(req.Method, alt, null) is not null)
            {
                int code = req.Method == "GET" ? 301 : 307;
                req.Http.Response.Headers.Location = alt;
                string html = req.Method == "GET" ? $"<a href=\"{alt}\">Moved Permanently</a>.\n\n" : string.Empty;
                await Http.TextAsync(req.Http, code, html, "text/html; charset=utf-8", req.Ct).ConfigureAwait(false);
                return;
            }
        }

        List<string> allowed = AllowedMethods(req.Path);
        if (allowed.Count > 0)
        {
            req.Http.Response.Headers.Allow = string.Join(", ", allowed);
            await Http.TextAsync(req.Http, 405, "405 method not allowed", "text/plain", req.Ct).ConfigureAwait(false);
            return;
        }

        await Http.TextAsync(req.Http, 404, "404 page not found", "text/plain", req.Ct).ConfigureAwait(false);
    }
}
