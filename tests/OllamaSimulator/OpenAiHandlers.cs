using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace OllamaSimulator;

/// <summary>The OpenAI-compatible /v1 endpoints (models, chat/completions, completions, embeddings).</summary>
internal sealed class OpenAiHandlers
{
    private static int _id = new Random().Next(100, 900);

    private static string ErrorType(int status) => status switch
    {
        400 => "invalid_request_error",
        404 => "not_found_error",
        _ => "api_error",
    };

    private static Task ErrorAsync(Req r, int status, string message)
    {
        var body = new JObj().Add("error", new JObj()
            .Add("message", message)
            .Add("type", ErrorType(status))
            .Add("param", null)
            .Add("code", null));
        return Http.TextAsync(r.Http, status, GoJson.Serialize(body) + "\n", Http.PlainJsonType, r.Ct);
    }

    private static Task OkAsync(Req r, JObj body) =>
        Http.TextAsync(r.Http, 200, GoJson.Serialize(body) + "\n", Http.PlainJsonType, r.Ct);

    /// <summary>Runs <paramref name="body"/>, turning Ollama-style errors into OpenAI-style ones.</summary>
    private static async Task Wrap(Req r, Func<Task> body)
    {
        try
        {
            await body().ConfigureAwait(false);
        }
        catch (ApiError e) when (!r.Http.Response.HasStarted)
        {
            await ErrorAsync(r, e.Status, e.Message).ConfigureAwait(false);
        }
    }

    private static JObj ModelEntry(SimModel m)
    {
        ModelName n = ModelName.Parse(m.Name);
        return new JObj()
            .Add("id", m.Name)
            .Add("object", "model")
            .Add("created", m.ModifiedAt.ToUnixTimeSeconds())
            .Add("owned_by", n.Namespace);
    }

    public Task ModelsAsync(Req r)
    {
        List<JObj> data = r.State.Installed
            .Select((m, i) => (m, i))
            .OrderByDescending(x => x.m.ModifiedAt.ToUnixTimeSeconds())
            .ThenBy(x => x.i)
            .Select(x => ModelEntry(x.m))
            .ToList();
        return OkAsync(r, new JObj().Add("object", "list").Add("data", data));
    }

    public Task ModelAsync(Req r)
    {
        string model = r.Params["model"];
        SimModel? m = ModelName.Normalize(model) is null ? null : r.State.FindInstalled(model);
        return m is null ? ErrorAsync(r, 404, $"model '{model}' not found") : OkAsync(r, ModelEntry(m));
    }

    private static GenOptions OptionsFrom(GoRequest q, out bool includeUsage)
    {
        var opts = new GenOptions();
        if (q.GetRaw("max_completion_tokens") is { ValueKind: JsonValueKind.Number } mct)
        {
            opts.NumPredict = (int)mct.GetDouble();
        }
        else if (q.GetRaw("max_tokens") is { ValueKind: JsonValueKind.Number } mt)
        {
            opts.NumPredict = (int)mt.GetDouble();
        }

        if (q.GetRaw("seed") is { ValueKind: JsonValueKind.Number } seed)
        {
            opts.Seed = (long)seed.GetDouble();
        }

        if (q.GetRaw("stop") is { } stop)
        {
            if (stop.ValueKind == JsonValueKind.String)
            {
                opts.Stop.Add(stop.GetString()!);
            }
            else if (stop.ValueKind == JsonValueKind.Array)
            {
                opts.Stop.AddRange(stop.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String).Select(s => s.GetString()!));
            }
        }

        includeUsage = q.GetRaw("stream_options") is { ValueKind: JsonValueKind.Object } so
            && so.TryGetProperty("include_usage", out JsonElement iu) && iu.ValueKind == JsonValueKind.True;
        return opts;
    }

    private static SimModel FindModel(Req r, string model)
    {
        if (model.Length == 0)
        {
            throw new ApiError(400, "model is required");
        }

        if (ModelName.Normalize(model) is null)
        {
            throw new ApiError(400, "invalid model name");
        }

        return r.State.FindInstalled(model) ?? throw new ApiError(404, $"model '{model}' not found");
    }

    private static JObj Usage(GenResult g) => new JObj()
        .Add("prompt_tokens", g.PromptEvalCount)
        .Add("completion_tokens", g.EvalCount)
        .Add("total_tokens", g.PromptEvalCount + g.EvalCount);

    private static string FinishReason(GenResult g) => g.DoneReason == "length" ? "length" : "stop";

    public Task ChatCompletionsAsync(Req r) => Wrap(r, async () =>
    {
        GoRequest q = r.Decode("ChatCompletionRequest");
        string model = q.GetString("model");
        JsonElement? messages = q.GetArray("messages", "[]openai.Message");
        bool stream = q.GetBool("stream") ?? false;
        GenOptions opts = OptionsFrom(q, out bool includeUsage);
        InferenceHandlers.ChatInput input = InferenceHandlers.ReadMessages(messages, "ChatCompletionRequest");
        if (input.Messages == 0)
        {
            throw new ApiError(400, "[] is too short - 'messages'");
        }

        SimModel m = FindModel(r, model);
        if (!m.HasCapability("completion"))
        {
            throw new ApiError(400, $"\"{model}\" does not support chat");
        }

        using InferenceHandlers.Scheduled sched = await InferenceHandlers.ScheduleAsync(r, m, opts.NumCtx, null).ConfigureAwait(false);
        int promptTokens = TextGen.CountTokens(input.Text) + 4 * input.Messages;
        ulong seed = opts.Seed is { } s && s >= 0 ? (ulong)s : TextGen.Hash(m.Name + "\u0001" + input.Text);
        string id = "chatcmpl-" + Interlocked.Increment(ref _id);
        long created = r.State.Time.GetUtcNow().ToUnixTimeSeconds();

        if (!stream)
        {
            GenResult g = await InferenceHandlers.GenerateTokensAsync(r.State, m, promptTokens, opts, seed, null, r.Ct).ConfigureAwait(false);
            await OkAsync(r, new JObj()
                .Add("id", id)
                .Add("object", "chat.completion")
                .Add("created", created)
                .Add("model", model)
                .Add("system_fingerprint", "fp_ollama")
                .Add("choices", new[]
                {
                    new JObj()
                        .Add("index", 0)
                        .Add("message", new JObj().Add("role", "assistant").Add("content", g.Text))
                        .Add("finish_reason", FinishReason(g)),
                })
                .Add("usage", Usage(g))).ConfigureAwait(false);
            return;
        }

        JObj Chunk(string content, string? finish) => new JObj()
            .Add("id", id)
            .Add("object", "chat.completion.chunk")
            .Add("created", created)
            .Add("model", model)
            .Add("system_fingerprint", "fp_ollama")
            .Add("choices", new[]
            {
                new JObj()
                    .Add("index", 0)
                    .Add("delta", new JObj().Add("role", "assistant").Add("content", content))
                    .Add("finish_reason", finish),
            });

        LineStream sse = LineStream.Sse(r);
        GenResult res = await InferenceHandlers.GenerateTokensAsync(r.State, m, promptTokens, opts, seed, t => sse.WriteAsync(Chunk(t, null)), r.Ct).ConfigureAwait(false);
        await sse.WriteAsync(Chunk(string.Empty, FinishReason(res))).ConfigureAwait(false);
        if (includeUsage)
        {
            await sse.WriteAsync(new JObj()
                .Add("id", id)
                .Add("object", "chat.completion.chunk")
                .Add("created", created)
                .Add("model", model)
                .Add("system_fingerprint", "fp_ollama")
                .Add("choices", Array.Empty<object>())
                .Add("usage", Usage(res))).ConfigureAwait(false);
        }

        await sse.WriteDoneAsync().ConfigureAwait(false);
    });

    public Task CompletionsAsync(Req r) => Wrap(r, async () =>
    {
        GoRequest q = r.Decode("CompletionRequest");
        string model = q.GetString("model");
        string prompt = q.GetString("prompt");
        bool stream = q.GetBool("stream") ?? false;
        GenOptions opts = OptionsFrom(q, out bool includeUsage);
        SimModel m = FindModel(r, model);
        if (!m.HasCapability("completion"))
        {
            throw new ApiError(400, $"\"{model}\" does not support generate");
        }

        using InferenceHandlers.Scheduled sched = await InferenceHandlers.ScheduleAsync(r, m, opts.NumCtx, null).ConfigureAwait(false);
        int promptTokens = TextGen.CountTokens(prompt);
        ulong seed = opts.Seed is { } s && s >= 0 ? (ulong)s : TextGen.Hash(m.Name + "\u0001" + prompt);
        string id = "cmpl-" + Interlocked.Increment(ref _id);
        long created = r.State.Time.GetUtcNow().ToUnixTimeSeconds();

        JObj Body(string obj, string text, string? finish) => new JObj()
            .Add("id", id)
            .Add("object", obj)
            .Add("created", created)
            .Add("model", model)
            .Add("system_fingerprint", "fp_ollama")
            .Add("choices", new[] { new JObj().Add("text", text).Add("index", 0).Add("finish_reason", finish) });

        if (!stream)
        {
            GenResult g = await InferenceHandlers.GenerateTokensAsync(r.State, m, promptTokens, opts, seed, null, r.Ct).ConfigureAwait(false);
            await OkAsync(r, Body("text_completion", g.Text, FinishReason(g)).Add("usage", Usage(g))).ConfigureAwait(false);
            return;
        }

        LineStream sse = LineStream.Sse(r);
        GenResult res = await InferenceHandlers.GenerateTokensAsync(r.State, m, promptTokens, opts, seed, t => sse.WriteAsync(Body("text_completion", t, null)), r.Ct).ConfigureAwait(false);
        JObj last = Body("text_completion", string.Empty, FinishReason(res));
        if (includeUsage)
        {
            last.Add("usage", Usage(res));
        }

        await sse.WriteAsync(last).ConfigureAwait(false);
        await sse.WriteDoneAsync().ConfigureAwait(false);
    });

    public Task EmbeddingsAsync(Req r) => Wrap(r, async () =>
    {
        GoRequest q = r.Decode("EmbedRequest");
        string model = q.GetString("model");
        List<string> inputs = InferenceHandlers.ReadInput(q.GetRaw("input"));
        if (inputs.Count == 0)
        {
            throw new ApiError(400, "invalid input");
        }

        int dimensions = q.GetInt("dimensions");
        SimModel m = FindModel(r, model);
        InferenceHandlers.EmbedResult e = await InferenceHandlers.EmbedCoreAsync(r, m, inputs, dimensions, new GenOptions(), null).ConfigureAwait(false);
        var data = e.Vectors.Select((v, i) => new JObj().Add("object", "embedding").Add("embedding", v).Add("index", i)).ToList();
        await OkAsync(r, new JObj()
            .Add("object", "list")
            .Add("data", data)
            .Add("model", model)
            .Add("usage", new JObj().Add("prompt_tokens", e.Tokens).Add("total_tokens", e.Tokens))).ConfigureAwait(false);
    });
}
