using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading.Tasks;

namespace OllamaSimulator;

/// <summary>/api/version, /api/tags, /api/ps, /api/show, /api/delete, /api/copy and small stubs.</summary>
internal sealed class ModelHandlers
{
    public Task VersionAsync(Req r) =>
        Http.JsonAsync(r.Http, 200, new JObj().Add("version", r.State.Version), r.Ct);

    public Task StatusAsync(Req r) =>
        Http.JsonAsync(r.Http, 200, new JObj().Add("cloud", new JObj().Add("disabled", false).Add("source", "none")), r.Ct);

    public Task NotSupportedAsync(Req r) =>
        Http.ErrorAsync(r.Http, 500, $"{r.Method} {r.Path} is not supported by the Ollama simulator", r.Ct);

    public Task HeadBlobAsync(Req r)
    {
        string digest = r.Params["digest"];
        string hex = digest.StartsWith("sha256:", StringComparison.Ordinal) ? digest.Substring(7) : digest;
        bool present = r.State.Installed.SelectMany(m => SimulatorState.LayersOf(m)).Any(l => l.Digest == hex);
        if (present)
        {
            return Http.EmptyAsync(r.Http, 200);
        }

        return Http.ErrorAsync(r.Http, 404, $"blob \"{digest}\" not found", r.Ct);
    }

    private static JObj TagEntry(SimModel m, bool modern)
    {
        var o = new JObj().Add("name", m.Name).Add("model", m.Name);
        if (m.RemoteHost is not null)
        {
            o.Add("remote_model", m.RemoteModel ?? ModelName.Parse(m.Name).Model).Add("remote_host", m.RemoteHost);
        }

        o.Add("modified_at", m.ModifiedAt)
            .Add("size", m.SizeBytes)
            .Add("digest", m.Digest);
        if (!modern)
        {
            return o.Add("details", ModelInfo.Details(m));
        }

        // 0.30+: the list carries what /api/show used to be needed for (all three omitempty).
        return o.Add("details", ModelInfo.Details(m)
                .AddIf(m.ContextLength > 0, "context_length", m.ContextLength)
                .AddIf(m.EmbeddingLength > 0, "embedding_length", m.EmbeddingLength))
            .AddIf(m.Capabilities.Length > 0, "capabilities", m.Capabilities);
    }

    public Task TagsAsync(Req r)
    {
        // Most recently modified first (compared in whole seconds, stable), as Ollama's ListHandler.
        bool modern = r.State.IsModern;
        List<JObj> models = r.State.Installed
            .Select((m, i) => (m, i))
            .OrderByDescending(x => x.m.ModifiedAt.ToUnixTimeSeconds())
            .ThenBy(x => x.i)
            .Select(x => TagEntry(x.m, modern))
            .ToList();
        return Http.JsonAsync(r.Http, 200, new JObj().Add("models", models), r.Ct);
    }

    public Task PsAsync(Req r)
    {
        var models = new List<JObj>();
        foreach ((LoadedModel l, SimModel m) in r.State.LoadedWithModels())
        {
            models.Add(new JObj()
                .Add("name", l.Name)
                .Add("model", l.Name)
                .Add("size", l.Size)
                .Add("digest", l.Digest)
                .Add("details", ModelInfo.Details(m))
                .Add("expires_at", l.ExpiresAt)
                .Add("size_vram", l.SizeVram)
                .Add("context_length", l.ContextLength));
        }

        return Http.JsonAsync(r.Http, 200, new JObj().Add("models", models), r.Ct);
    }

    public async Task ShowAsync(Req r)
    {
        GoRequest q = r.Decode("ShowRequest");
        string model = q.GetString("model");
        string name = q.GetString("name");
        q.GetString("system");
        q.GetObject("options", "map[string]interface {}");
        if (model.Length == 0)
        {
            model = name;
        }

        if (model.Length == 0)
        {
            throw new ApiError(400, "model is required");
        }

        if (ModelName.Normalize(model) is null)
        {
            throw new ApiError(400, "invalid model name");
        }

        SimModel m = r.State.FindInstalled(model) ?? throw new ApiError(404, $"model '{model}' not found");
        if (r.State.ShowLatency > TimeSpan.Zero)
        {
            await Task.Delay(r.State.ShowLatency, r.Ct).ConfigureAwait(false);
        }

        var o = new JObj();
        o.AddIf(m.License is not null, "license", m.License);
        o.Add("modelfile", ModelInfo.Modelfile(m));
        string parameters = ModelInfo.ParametersText(m);
        o.AddIf(parameters.Length > 0, "parameters", parameters);
        o.Add("template", ModelInfo.TemplateOf(m));
        o.AddIf(m.System is not null, "system", m.System);
        o.Add("details", ModelInfo.Details(m));
        if (m.RemoteHost is not null)
        {
            o.Add("remote_model", m.RemoteModel ?? ModelName.Parse(m.Name).Model);
            o.Add("remote_host", m.RemoteHost);
            o.Add("model_info", new SortedDictionary<string, object?>(StringComparer.Ordinal)
            {
                ["general.architecture"] = m.Architecture,
                [m.Architecture + ".context_length"] = m.ContextLength,
                [m.Architecture + ".embedding_length"] = m.EmbeddingLength,
            });
        }
        else
        {
            o.Add("model_info", ModelInfo.ModelInfoOf(m));
            o.Add("tensors", ModelInfo.TensorsOf(m));
        }

        o.Add("capabilities", m.Capabilities);
        o.Add("modified_at", m.ModifiedAt);
        await Http.JsonAsync(r.Http, 200, o, r.Ct).ConfigureAwait(false);
    }

    public Task DeleteAsync(Req r)
    {
        GoRequest q = r.Decode("DeleteRequest");
        string model = q.GetString("model");
        string name = q.GetString("name");
        string given = model.Length > 0 ? model : name;
        if (given.Length == 0)
        {
            throw new ApiError(400, "model is required");
        }

        if (ModelName.Normalize(given) is null)
        {
            throw new ApiError(400, $"name \"{given}\" is invalid");
        }

        if (!r.State.RemoveInstalled(given))
        {
            throw new ApiError(404, $"model '{given}' not found");
        }

        return Http.EmptyAsync(r.Http);
    }

    public Task CopyAsync(Req r)
    {
        GoRequest q = r.Decode("CopyRequest");
        string source = q.GetString("source");
        string destination = q.GetString("destination");
        if (ModelName.Normalize(source) is null)
        {
            throw new ApiError(400, $"source \"{source}\" is invalid");
        }

        if (ModelName.Normalize(destination) is null)
        {
            throw new ApiError(400, $"destination \"{destination}\" is invalid");
        }

        if (!r.State.CopyInstalled(source, destination))
        {
            throw new ApiError(404, $"model \"{source}\" not found");
        }

        return Http.EmptyAsync(r.Http);
    }
}
