using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace OllamaSimulator;

/// <summary>
/// The registry side (registry.ollama.ai) for update checks: HEAD/GET /v2/{namespace}/{model}/manifests/{tag}
/// answer with the library digest in "ollama-content-digest" and "Docker-Content-Digest", 404 when unknown.
/// </summary>
internal sealed class RegistrySimulator
{
    public const string ManifestMediaType = "application/vnd.docker.distribution.manifest.v2+json";

    public Task ManifestAsync(Req r)
    {
        string repo = r.Params["repo"];
        string tag = r.Params["tag"];
        string[] parts = repo.Split('/');
        string name = parts.Length switch
        {
            1 => repo + ":" + tag,
            2 when string.Equals(parts[0], ModelName.DefaultNamespace, StringComparison.OrdinalIgnoreCase) => parts[1] + ":" + tag,
            _ => repo + ":" + tag,
        };

        SimModel? m = ModelName.Normalize(name) is null ? null : r.State.FindRemote(name);
        if (m is null)
        {
            byte[] err = Encoding.UTF8.GetBytes(
                "{\"errors\":[{\"code\":\"MANIFEST_UNKNOWN\",\"message\":\"manifest unknown\",\"detail\":{\"Tag\":" +
                GoJson.Serialize(tag) + "}}]}\n");
            return Http.BytesAsync(r.Http, 404, "application/json; charset=utf-8", err, r.Ct);
        }

        IReadOnlyList<SimLayer> layers = SimulatorState.LayersOf(m);
        SimLayer config = layers[^1];
        var manifest = new JObj()
            .Add("schemaVersion", 2)
            .Add("mediaType", ManifestMediaType)
            .Add("config", new JObj().Add("mediaType", config.MediaType).Add("digest", "sha256:" + config.Digest).Add("size", config.Size))
            .Add("layers", layers.Take(layers.Count - 1)
                .Select(l => new JObj().Add("mediaType", l.MediaType).Add("digest", "sha256:" + l.Digest).Add("size", l.Size))
                .ToList());
        IHeaderDictionary h = r.Http.Response.Headers;
        h["Docker-Content-Digest"] = "sha256:" + m.Digest;
        h["ollama-content-digest"] = m.Digest;
        h["Docker-Distribution-Api-Version"] = "registry/2.0";
        h.ETag = "\"sha256:" + m.Digest + "\"";
        return Http.BytesAsync(r.Http, 200, ManifestMediaType, GoJson.SerializeToUtf8(manifest), r.Ct);
    }
}
