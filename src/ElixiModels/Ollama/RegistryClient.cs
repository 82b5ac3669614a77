using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;

namespace ElixiModels.Ollama;

/// <summary>
/// The Ollama model registry (registry.ollama.ai). It has no documented search API, but it answers
/// /v2/&lt;namespace&gt;/&lt;model&gt;/manifests/&lt;tag&gt;: HEAD gives the current digest (the ollama-content-digest
/// header, as Ollama's desktop app reads it for its update check), GET the manifest with its layers (the exact
/// download size). Short timeout, no retries, no Ollama API key: callers treat failures as "offline".
/// </summary>
public sealed class RegistryClient
{
    /// <summary>The environment variable that points update checks at another registry (e.g. a mirror or a test server).</summary>
    public const string RegistryVariable = "ELIXI_REGISTRY";

    /// <summary>The registry Ollama pulls library models from.</summary>
    public static readonly Uri DefaultRegistry = new("https://registry.ollama.ai/");

    /// <summary>Update checks must not hold up a listing: a registry that does not answer in this time is skipped.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(5);

    private const string ManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";
    private readonly OllamaClient _http;
    private readonly TimeSpan _timeout;

    public RegistryClient(Uri registry, TimeSpan? timeout = null)
    {
        Registry = registry ?? throw new ArgumentNullException(nameof(registry));
        _timeout = timeout ?? DefaultTimeout;
        // The registry gets no Ollama API key: that token is for the Ollama server, not for a third party.
        _http = new OllamaClient(registry, new OllamaClientOptions { Timeout = _timeout, RetryCount = 0, ApiKey = null });
    }

    public Uri Registry { get; }

    /// <summary>The registry's canonical address, as shown in messages.</summary>
    public string Display => OllamaEndpoint.Display(Registry);

    /// <summary>
    /// The registry from <paramref name="value"/> (a -RegistryUri), else $env:ELIXI_REGISTRY, else
    /// <see cref="DefaultRegistry"/>. Accepts http(s)://host[:port][/path] and host[:port] (https).
    /// </summary>
    /// <exception cref="FormatException">The address is not an http(s) URL.</exception>
    public static Uri Resolve(string? value)
    {
        string? text = string.IsNullOrWhiteSpace(value) ? Environment.GetEnvironmentVariable(RegistryVariable) : value;
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultRegistry;
        }

        string s = text!.Trim();
        if (s.IndexOf("://", StringComparison.Ordinal) < 0)
        {
            s = "https://" + s;
        }

        if (!Uri.TryCreate(s, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host) || uri.Query.Length > 0 || uri.Fragment.Length > 0)
        {
            throw new FormatException($"'{text}' is not a registry address: use https://host[:port], e.g. {DefaultRegistry}");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    /// <summary>The manifest path of a model: library models live in the "library" namespace.</summary>
    public static string ManifestPath(ModelName name) =>
        $"v2/{Uri.EscapeDataString(name.Namespace ?? "library")}/{Uri.EscapeDataString(name.Model)}/manifests/{Uri.EscapeDataString(name.Tag)}";

    /// <summary>
    /// The registry's manifest digest (64 hex digits, no "sha256:") for <paramref name="name"/>, or null when the
    /// registry does not have it (404). Other failures throw <see cref="OllamaException"/>.
    /// </summary>
    public async Task<string?> GetDigestAsync(ModelName name, CancellationToken ct)
    {
        HttpResponseMessage? response = await SendManifestRequestAsync(HttpMethod.Head, name, ct).ConfigureAwait(false);
        if (response is null)
        {
            return null;
        }

        using (response)
        {
            string? digest = Header(response, "ollama-content-digest") ?? Header(response, "Docker-Content-Digest");
            if (digest is null)
            {
                throw new OllamaException(OllamaErrorKind.InvalidResponse, Registry,
                    $"The registry {Display} answered for {name} without a content digest; is it an Ollama registry?", model: name.FullName);
            }

            return NormalizeDigest(digest);
        }
    }

    /// <summary>The manifest of <paramref name="name"/>, or null when the registry does not know it (404).</summary>
    /// <exception cref="OllamaException">The registry could not be reached, timed out or failed.</exception>
    public async Task<Catalog.RegistryManifest?> GetManifestAsync(ModelName name, CancellationToken ct)
    {
        HttpResponseMessage? response = await SendManifestRequestAsync(HttpMethod.Get, name, ct).ConfigureAwait(false);
        if (response is null)
        {
            return null;
        }

        using (response)
        {
            string body;
            using (var bounded = CancellationTokenSource.CreateLinkedTokenSource(ct))
            {
                bounded.CancelAfter(_timeout);
                try
                {
                    // Manifests are a few KB; a body that never ends or trickles cannot hold the listing.
                    body = await OllamaTransport.ReadBoundedAsync(response.Content, 4 * 1024 * 1024, bounded.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested && ex is System.IO.IOException or HttpRequestException or ObjectDisposedException or OperationCanceledException)
                {
                    throw new OllamaException(OllamaErrorKind.Timeout, Registry,
                        $"The registry {Display} did not send the manifest of {name.FullName} within {_timeout.TotalSeconds:0.#} s.", model: name.FullName, inner: ex);
                }
            }

            string? digest = Header(response, "ollama-content-digest") ?? Header(response, "Docker-Content-Digest");
            try
            {
                return Catalog.RegistryManifest.Parse(name.FullName, digest is null ? null : NormalizeDigest(digest), body);
            }
            catch (System.Text.Json.JsonException ex)
            {
                throw new OllamaException(OllamaErrorKind.InvalidResponse, Registry,
                    $"The registry {Display} sent a manifest for {name.FullName} that is not valid JSON.", inner: ex);
            }
        }
    }

    // HEAD or GET on the manifest; null when the registry does not know the model (404).
    private async Task<HttpResponseMessage?> SendManifestRequestAsync(HttpMethod method, ModelName name, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, ManifestPath(name));
        request.Headers.Accept.ParseAdd(ManifestMediaType);
        try
        {
            return await _http.SendRawAsync(request, _timeout, ct).ConfigureAwait(false);
        }
        catch (OllamaException ex) when (ex.StatusCode == 404)
        {
            return null;
        }
    }

    /// <summary>"sha256:ABC…" and "abc…" both become "abc…".</summary>
    public static string NormalizeDigest(string digest)
    {
        string d = digest.Trim().Trim('"');
        if (d.StartsWith("sha256:", StringComparison.OrdinalIgnoreCase))
        {
            d = d.Substring(7);
        }

        return d.ToLowerInvariant();
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault(v => !string.IsNullOrWhiteSpace(v)) : null;
}
