using System;
using System.Collections.Generic;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;

namespace ElixiModels.Catalog;

/// <summary>A model's manifest as the registry serves it: its layers make up the download.</summary>
public sealed class RegistryManifest
{
    public RegistryManifest(string name, string? digest, IReadOnlyList<RegistryLayer> layers)
    {
        Name = name;
        Digest = digest;
        Layers = layers;
    }

    public string Name { get; }

    /// <summary>From the Docker-Content-Digest / ollama-content-digest header, without "sha256:".</summary>
    public string? Digest { get; }

    /// <summary>Every blob, the config included.</summary>
    public IReadOnlyList<RegistryLayer> Layers { get; }

    /// <summary>What a pull downloads.</summary>
    public long SizeBytes => Layers.Sum(l => l.Size);

    /// <summary>A projector layer is the image encoder of a vision model.</summary>
    public bool HasProjector => Layers.Any(l => l.MediaType.EndsWith(".projector", StringComparison.Ordinal));

    /// <summary>Parses a manifest body (config + layers).</summary>
    public static RegistryManifest Parse(string name, string? digest, string json)
    {
        ManifestFile file = JsonSerializer.Deserialize<ManifestFile>(json) ?? new ManifestFile();
        IEnumerable<RegistryLayer> layers = (file.Layers ?? new List<RegistryLayer>()).AsEnumerable();
        if (file.Config is { } config)
        {
            layers = layers.Append(config);
        }

        return new RegistryManifest(name, digest, layers.ToList());
    }

    private sealed class ManifestFile
    {
        [JsonPropertyName("config")] public RegistryLayer? Config { get; set; }
        [JsonPropertyName("layers")] public List<RegistryLayer>? Layers { get; set; }
    }
}

/// <summary>One blob of a manifest.</summary>
public sealed class RegistryLayer
{
    [JsonPropertyName("mediaType")] public string MediaType { get; set; } = string.Empty;
    [JsonPropertyName("digest")] public string Digest { get; set; } = string.Empty;
    [JsonPropertyName("size")] public long Size { get; set; }
}

/// <summary>
/// The Ollama model registry (registry.ollama.ai). It has no documented search API, but it answers
/// GET /v2/&lt;namespace&gt;/&lt;model&gt;/manifests/&lt;tag&gt; — enough to confirm that a model exists and learn
/// its exact download size and digest. Short timeout, no retries: callers treat failures as "offline".
/// </summary>
public sealed class ModelRegistry
{
    /// <summary>Overrides the registry address (e.g. a mirror or a test double).</summary>
    public const string RegistryVariable = "ELIXI_REGISTRY";

    public static readonly Uri DefaultUri = new("https://registry.ollama.ai/");

    private const string ManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";
    private readonly OllamaClient _client;

    public ModelRegistry(Uri baseUri, TimeSpan timeout)
    {
        BaseUri = baseUri;
        // The registry is not the Ollama server: no API key, no retries, a short timeout.
        _client = new OllamaClient(baseUri, new OllamaClientOptions { Timeout = timeout, RetryCount = 0, ApiKey = null });
    }

    public Uri BaseUri { get; }

    /// <summary>Canonical text of <see cref="BaseUri"/>, used in cache keys.</summary>
    public string Display => OllamaEndpoint.Display(BaseUri);

    /// <summary>-RegistryUri if given, else $env:ELIXI_REGISTRY, else registry.ollama.ai.</summary>
    /// <exception cref="FormatException">The address is not an http(s) URI.</exception>
    public static Uri Resolve(string? explicitUri)
    {
        string? text = string.IsNullOrWhiteSpace(explicitUri) ? Environment.GetEnvironmentVariable(RegistryVariable) : explicitUri;
        if (string.IsNullOrWhiteSpace(text))
        {
            return DefaultUri;
        }

        if (!Uri.TryCreate(text!.Trim(), UriKind.Absolute, out Uri? uri) || (uri.Scheme != "http" && uri.Scheme != "https"))
        {
            throw new FormatException($"'{text}' is not a registry address (expected e.g. https://registry.ollama.ai).");
        }

        return new Uri(uri.GetLeftPart(UriPartial.Path).TrimEnd('/') + "/");
    }

    /// <summary>
    /// The manifest of <paramref name="name"/>, or null when the registry does not know it (404).
    /// </summary>
    /// <exception cref="OllamaException">The registry could not be reached, timed out or failed.</exception>
    public async Task<RegistryManifest?> GetManifestAsync(ModelName name, CancellationToken ct)
    {
        string path = $"v2/{Uri.EscapeDataString(name.Namespace ?? "library")}/{Uri.EscapeDataString(name.Model)}/manifests/{Uri.EscapeDataString(name.Tag)}";
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(BaseUri, path));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(ManifestMediaType));
        HttpResponseMessage response;
        try
        {
            response = await _client.SendRawAsync(request, _client.Options.Timeout, ct).ConfigureAwait(false);
        }
        catch (OllamaException ex) when (ex.StatusCode == 404)
        {
            return null;
        }

        using (response)
        {
            string body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            string? digest = Header(response, "ollama-content-digest") ?? Header(response, "Docker-Content-Digest");
            try
            {
                return RegistryManifest.Parse(name.FullName, digest?.Replace("sha256:", string.Empty), body);
            }
            catch (JsonException ex)
            {
                throw new OllamaException(OllamaErrorKind.InvalidResponse, BaseUri,
                    $"The registry {Display} sent a manifest for {name.FullName} that is not valid JSON.", inner: ex);
            }
        }
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out IEnumerable<string>? values) ? values.FirstOrDefault() : null;
}
