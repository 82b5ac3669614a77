using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace OllamaSimulator;

/// <summary>Runner options taken from a request's "options" (api.Options.FromMap rules).</summary>
internal sealed class GenOptions
{
    public int? NumPredict { get; set; }

    public int? NumCtx { get; set; }

    public long? Seed { get; set; }

    public List<string> Stop { get; } = new();

    private static readonly HashSet<string> IntOptions = new(StringComparer.Ordinal)
    {
        "num_keep", "seed", "num_predict", "top_k", "repeat_last_n", "mirostat", "num_ctx", "num_batch", "num_gpu",
        "main_gpu", "num_thread",
    };

    private static readonly HashSet<string> FloatOptions = new(StringComparer.Ordinal)
    {
        "top_p", "min_p", "typical_p", "temperature", "repeat_penalty", "presence_penalty", "frequency_penalty",
        "mirostat_tau", "mirostat_eta", "tfs_z",
    };

    private static readonly HashSet<string> BoolOptions = new(StringComparer.Ordinal)
    {
        "numa", "low_vram", "vocab_only", "use_mmap", "use_mlock", "penalize_newline",
    };

    public static GenOptions Parse(JsonElement? options)
    {
        var o = new GenOptions();
        if (options is not { ValueKind: JsonValueKind.Object } obj)
        {
            return o;
        }

        foreach (JsonProperty p in obj.EnumerateObject())
        {
            JsonElement v = p.Value;
            if (v.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (IntOptions.Contains(p.Name))
            {
                if (v.ValueKind != JsonValueKind.Number)
                {
                    throw new ApiError(400, $"option \"{p.Name}\" must be of type integer");
                }

                long value = (long)Math.Truncate(v.GetDouble());
                switch (p.Name)
                {
                    case "num_predict":
                        o.NumPredict = (int)Math.Clamp(value, int.MinValue, int.MaxValue);
                        break;
                    case "num_ctx":
                        o.NumCtx = (int)Math.Clamp(value, int.MinValue, int.MaxValue);
                        break;
                    case "seed":
                        o.Seed = value;
                        break;
                }
            }
            else if (FloatOptions.Contains(p.Name))
            {
                if (v.ValueKind != JsonValueKind.Number)
                {
                    throw new ApiError(400, $"option \"{p.Name}\" must be of type float32");
                }
            }
            else if (BoolOptions.Contains(p.Name))
            {
                if (v.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                {
                    throw new ApiError(400, $"option \"{p.Name}\" must be of type boolean");
                }
            }
            else if (p.Name == "stop")
            {
                if (v.ValueKind != JsonValueKind.Array)
                {
                    throw new ApiError(400, "option \"stop\" must be of type array");
                }

                foreach (JsonElement s in v.EnumerateArray())
                {
                    if (s.ValueKind != JsonValueKind.String)
                    {
                        throw new ApiError(400, "option \"stop\" must be of an array of strings");
                    }

                    if (s.GetString() is { Length: > 0 } text)
                    {
                        o.Stop.Add(text);
                    }
                }
            }

            // Unknown options are ignored (Ollama logs a warning).
        }

        return o;
    }
}

/// <summary>What one completion produced, with true (measured) timings.</summary>
internal sealed class GenResult
{
    public string Text { get; set; } = string.Empty;

    public List<string> Tokens { get; } = new();

    public string DoneReason { get; set; } = "stop";

    public int PromptEvalCount { get; set; }

    public long PromptEvalNs { get; set; }

    public int EvalCount { get; set; }

    public long EvalNs { get; set; }

    /// <summary>The runner stopped without a final event (token-repeat limit, or output that is not valid UTF-8).</summary>
    public bool Aborted { get; set; }
}

/// <summary>/api/generate, /api/chat, /api/embed, /api/embeddings and the shared generation engine.</summary>
internal sealed class InferenceHandlers
{
    internal static long Ns(double seconds) => (long)Math.Round(seconds * 1e9);

    internal static long NsSince(long timestamp) => Ns(PreciseWait.Seconds(timestamp));

    /// <summary>
    /// Evaluates the prompt (prompt_tokens / PromptTokensPerSecond) then emits tokens on a fixed schedule: token i at
    /// t0 + i / GenerateTokensPerSecond, measured against one stopwatch so there is no drift.
    /// </summary>
    internal static async Task<GenResult> GenerateTokensAsync(
        SimulatorState st, SimModel m, int promptTokens, GenOptions opts, ulong seed, Func<string, Task>? onToken, CancellationToken ct,
        int? invalidUtf8After = null)
    {
        var result = new GenResult { PromptEvalCount = promptTokens };

        long pe = Stopwatch.GetTimestamp();
        double promptRate = m.PromptTokensPerSecond > 0 ? m.PromptTokensPerSecond : 1000;
        await PreciseWait.UntilAsync(pe, promptTokens / promptRate, ct).ConfigureAwait(false);
        // As for eval_duration: the model's prompt time (count / rate), not how late this process woke up.
        result.PromptEvalNs = Math.Max(1, Ns(promptTokens / promptRate));

        bool explicitLimit = opts.NumPredict is > 0;
        int limit = explicitLimit ? opts.NumPredict!.Value : Math.Max(1, st.DefaultNumPredict);
        result.DoneReason = explicitLimit ? "length" : "stop";
        double rate = m.GenerateTokensPerSecond > 0 ? m.GenerateTokensPerSecond : 100;

        var text = new StringBuilder();
        long t0 = Stopwatch.GetTimestamp();
        int count = 0;
        string? lastToken = null;
        int repeat = 0;
        using IEnumerator<string> tokens = TextGen.Tokens(seed).GetEnumerator();
        while (count < limit && ((m.RepeatsAfter is { } ra && count > ra && lastToken is not null) || tokens.MoveNext()))
        {
            // A repeating model: after RepeatsAfter tokens, one more token and then that one again and again.
            string token = m.RepeatsAfter is { } after && count > after && lastToken is not null ? lastToken : tokens.Current;
            if (invalidUtf8After is { } bad && count >= bad)
            {
                // llama-server rejects the completion; Ollama 0.30+ ends the answer as if cut off.
                result.Aborted = true;
                break;
            }

            // llm/server.go: a token that repeats more than 30 times aborts the prediction before it is sent.
            repeat = token == lastToken ? repeat + 1 : 0;
            lastToken = token;
            if (st.TokenRepeatLimit > 0 && repeat > st.TokenRepeatLimit)
            {
                result.Aborted = true;
                break;
            }

            await PreciseWait.UntilAsync(t0, (count + 1) / rate, ct).ConfigureAwait(false);
            count++;

            if (opts.Stop.Count > 0)
            {
                string candidate = text.ToString() + token;
                int cut = -1;
                foreach (string stop in opts.Stop)
                {
                    int at = candidate.IndexOf(stop, StringComparison.Ordinal);
                    if (at >= 0 && (cut < 0 || at < cut))
                    {
                        cut = at;
                    }
                }

                if (cut >= 0)
                {
                    string tail = cut > text.Length ? candidate.Substring(text.Length, cut - text.Length) : string.Empty;
                    if (cut < text.Length)
                    {
                        text.Length = cut;
                    }

                    if (tail.Length > 0)
                    {
                        text.Append(tail);
                        result.Tokens.Add(tail);
                        if (onToken is not null)
                        {
                            await onToken(tail).ConfigureAwait(false);
                        }
                    }

                    result.DoneReason = "stop";
                    break;
                }
            }

            text.Append(token);
            result.Tokens.Add(token);
            if (onToken is not null)
            {
                await onToken(token).ConfigureAwait(false);
            }
        }

        if (result.Aborted)
        {
            count = result.Tokens.Count;
        }

        result.EvalCount = count;
        // As Ollama's runner does, eval_duration is the model's decode time (count / rate), not when the HTTP writes
        // went out: a late wake-up of this process is not the model's.
        result.EvalNs = count > 0 ? Ns(count / rate) : 0;
        result.Text = text.ToString();
        return result;
    }

    /// <summary>The scheduling part every inference endpoint shares: find the model, load it, hold a runner.</summary>
    internal sealed class Scheduled : IDisposable
    {
        private readonly SimulatorState _state;
        private readonly SimulatorState.Runner? _runner;
        private readonly TimeSpan _keepAlive;

        public Scheduled(SimulatorState state, SimulatorState.Runner? runner, TimeSpan keepAlive, long loadedAt)
        {
            _state = state;
            _runner = runner;
            _keepAlive = keepAlive;
            LoadedAt = loadedAt;
        }

        /// <summary>Stopwatch timestamp when the model was ready (Ollama's checkpointLoaded).</summary>
        public long LoadedAt { get; }

        public void Dispose()
        {
            if (_runner is not null)
            {
                _state.Release(_runner, _keepAlive);
            }
        }
    }

    internal static async Task<Scheduled> ScheduleAsync(Req r, SimModel m, int? numCtx, TimeSpan? keepAlive)
    {
        TimeSpan ka = keepAlive ?? r.State.DefaultKeepAlive;
        if (m.RemoteHost is not null)
        {
            return new Scheduled(r.State, null, ka, Stopwatch.GetTimestamp());
        }

        (SimulatorState.Runner runner, bool _) = await r.State.AcquireRunnerAsync(m, numCtx, ka, r.Ct).ConfigureAwait(false);
        return new Scheduled(r.State, runner, ka, Stopwatch.GetTimestamp());
    }

    private static ulong SeedOf(GenOptions opts, string model, string prompt) =>
        opts.Seed is { } s && s >= 0 ? (ulong)s : TextGen.Hash(model + "\u0001" + prompt);

    private static void CheckThink(GoRequest q)
    {
        // Accepted silently: true/false or "high"/"medium"/"low".
        if (q.GetRaw("think") is { } think && think.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.String))
        {
            throw new ApiError(400, "json: cannot unmarshal " + GoRequest.GoKind(think) + " into Go struct field think of type bool or string");
        }
    }

    private static JObj Metrics(JObj o, long total, long load, GenResult g) => o
        .AddIf(total != 0, "total_duration", total)
        .AddIf(load != 0, "load_duration", load)
        .AddIf(g.PromptEvalCount != 0, "prompt_eval_count", g.PromptEvalCount)
        .AddIf(g.PromptEvalNs != 0, "prompt_eval_duration", g.PromptEvalNs)
        .AddIf(g.EvalCount != 0, "eval_count", g.EvalCount)
        .AddIf(g.EvalNs != 0, "eval_duration", g.EvalNs);

    // ------------------------------------------------------------------ /api/generate

    public async Task GenerateAsync(Req r)
    {
        GoRequest q = r.Decode("GenerateRequest");
        string model = q.GetString("model");
        string prompt = q.GetString("prompt");
        string system = q.GetString("system");
        q.GetString("template");
        string suffix = q.GetString("suffix");
        bool stream = q.GetBool("stream") ?? true;
        bool raw = q.GetBool("raw") ?? false;
        JsonElement? context = q.GetArray("context", "[]int");
        JsonElement? images = q.GetArray("images", "[]api.ImageData");
        JsonElement? options = q.GetObject("options", "map[string]interface {}");
        TimeSpan? keepAlive = q.GetKeepAlive();
        CheckThink(q);

        if (model.Length == 0)
        {
            throw new ApiError(404, "model '' not found");
        }

        if (ModelName.Normalize(model) is null)
        {
            throw new ApiError(400, "invalid model name");
        }

        SimModel m = r.State.FindInstalled(model) ?? throw new ApiError(404, $"model '{model}' not found");

        if (prompt.Length == 0 && keepAlive == TimeSpan.Zero)
        {
            r.State.ExpireRunner(m);
            await Http.JsonAsync(r.Http, 200, new JObj()
                .Add("model", model)
                .Add("created_at", GoTime.Now(r.State.Time))
                .Add("response", string.Empty)
                .Add("done", true)
                .Add("done_reason", "unload"), r.Ct).ConfigureAwait(false);
            return;
        }

        if (!m.HasCapability("completion"))
        {
            throw new ApiError(400, $"\"{model}\" does not support generate");
        }

        if (suffix.Length > 0 && !m.HasCapability("insert"))
        {
            throw new ApiError(400, $"{ModelName.Parse(m.Name)} does not support insert");
        }

        if (images is { } imgs && imgs.GetArrayLength() > 0 && !m.HasCapability("vision"))
        {
            throw new ApiError(400, $"{ModelName.Parse(m.Name)} does not support vision");
        }

        GenOptions opts = GenOptions.Parse(options);
        using Scheduled sched = await ScheduleAsync(r, m, opts.NumCtx, keepAlive).ConfigureAwait(false);
        long load = Ns((sched.LoadedAt - r.Start) / (double)Stopwatch.Frequency);

        if (prompt.Length == 0)
        {
            await Http.JsonAsync(r.Http, 200, new JObj()
                .Add("model", model)
                .Add("created_at", GoTime.Now(r.State.Time))
                .Add("response", string.Empty)
                .Add("done", true)
                .Add("done_reason", "load"), r.Ct).ConfigureAwait(false);
            return;
        }

        string promptText = system + " " + prompt + " " + suffix;
        int promptTokens = TextGen.CountTokens(promptText) + (raw ? 0 : 4) + (context?.GetArrayLength() ?? 0)
            + (images?.GetArrayLength() ?? 0) * 576;
        ulong seed = SeedOf(opts, m.Name, prompt);

        JObj Chunk(string text, bool done) => new JObj()
            .Add("model", model)
            .Add("created_at", GoTime.Now(r.State.Time))
            .Add("response", text)
            .Add("done", done);

        JObj Final(GenResult g, string response)
        {
            JObj o = Chunk(response, true).Add("done_reason", g.DoneReason);
            if (!raw)
            {
                o.Add("context", TextGen.ContextIds(promptText, g.Tokens, promptTokens));
            }

            return Metrics(o, NsSince(r.Start), load, g);
        }

        int? badUtf8 = InvalidUtf8After(r);
        if (stream)
        {
            LineStream s = LineStream.Ndjson(r);
            GenResult g = await GenerateTokensAsync(r.State, m, promptTokens, opts, seed, t => s.WriteAsync(Chunk(t, false)), r.Ct, badUtf8).ConfigureAwait(false);
            if (g.Aborted)
            {
                // No done line: the chunked body just ends (empty when nothing was sent).
                await s.EnsureStartedAsync().ConfigureAwait(false);
                return;
            }

            await s.WriteAsync(Final(g, string.Empty)).ConfigureAwait(false);
        }
        else
        {
            GenResult g = await GenerateTokensAsync(r.State, m, promptTokens, opts, seed, null, r.Ct, badUtf8).ConfigureAwait(false);
            JObj answer = !g.Aborted ? Final(g, g.Text)
                : g.Tokens.Count == 0 ? ZeroValued().Add("response", string.Empty).Add("done", false)
                : Chunk(g.Text, false);
            await Http.JsonAsync(r.Http, 200, answer, r.Ct).ConfigureAwait(false);
        }
    }

    /// <summary>The 0.30+ bad-UTF-8 fault for this request, if armed (a 0.23 server returns such bytes as text).</summary>
    internal static int? InvalidUtf8After(Req r)
    {
        if (!r.State.IsModern)
        {
            return null;
        }

        return r.State.Faults.TryConsume(FaultSettings.Kind.BadUtf8, r.Path)?.Lines;
    }

    /// <summary>The start of Go's zero-valued response: "model":"", created_at 0001-01-01.</summary>
    internal static JObj ZeroValued() => new JObj().Add("model", string.Empty).Add("created_at", "0001-01-01T00:00:00Z");

    // ------------------------------------------------------------------ /api/chat

    internal sealed class ChatInput
    {
        public string Text { get; set; } = string.Empty;

        public int Messages { get; set; }

        public int Images { get; set; }

        public string LastUser { get; set; } = string.Empty;
    }

    internal static ChatInput ReadMessages(JsonElement? messages, string typeName)
    {
        var input = new ChatInput();
        if (messages is not { } arr)
        {
            return input;
        }

        var sb = new StringBuilder();
        foreach (JsonElement msg in arr.EnumerateArray())
        {
            if (msg.ValueKind != JsonValueKind.Object)
            {
                throw new ApiError(400, $"json: cannot unmarshal {GoRequest.GoKind(msg)} into Go struct field {typeName}.messages of type api.Message");
            }

            input.Messages++;
            string role = string.Empty;
            foreach (JsonProperty p in msg.EnumerateObject())
            {
                if (p.NameEquals("content"))
                {
                    if (p.Value.ValueKind == JsonValueKind.String)
                    {
                        sb.Append(p.Value.GetString()).Append(' ');
                        if (role == "user")
                        {
                            input.LastUser = p.Value.GetString() ?? string.Empty;
                        }
                    }
                    else if (p.Value.ValueKind == JsonValueKind.Array)
                    {
                        // OpenAI-style content parts.
                        foreach (JsonElement part in p.Value.EnumerateArray())
                        {
                            if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("text", out JsonElement t) && t.ValueKind == JsonValueKind.String)
                            {
                                sb.Append(t.GetString()).Append(' ');
                            }
                            else if (part.ValueKind == JsonValueKind.Object && part.TryGetProperty("type", out JsonElement ty) && ty.ValueKind == JsonValueKind.String && ty.GetString() == "image_url")
                            {
                                input.Images++;
                            }
                        }
                    }
                    else if (p.Value.ValueKind != JsonValueKind.Null)
                    {
                        throw new ApiError(400, $"json: cannot unmarshal {GoRequest.GoKind(p.Value)} into Go struct field Message.messages.content of type string");
                    }
                }
                else if (p.NameEquals("role") && p.Value.ValueKind == JsonValueKind.String)
                {
                    role = p.Value.GetString() ?? string.Empty;
                    if (role == "user" && msg.TryGetProperty("content", out JsonElement c) && c.ValueKind == JsonValueKind.String)
                    {
                        input.LastUser = c.GetString() ?? string.Empty;
                    }
                }
                else if (p.NameEquals("images") && p.Value.ValueKind == JsonValueKind.Array)
                {
                    input.Images += p.Value.GetArrayLength();
                }
            }
        }

        input.Text = sb.ToString();
        return input;
    }

    public async Task ChatAsync(Req r)
    {
        GoRequest q = r.Decode("ChatRequest");
        string model = q.GetString("model");
        JsonElement? messages = q.GetArray("messages", "[]api.Message");
        bool stream = q.GetBool("stream") ?? true;
        JsonElement? tools = q.GetArray("tools", "api.Tools");
        JsonElement? options = q.GetObject("options", "map[string]interface {}");
        TimeSpan? keepAlive = q.GetKeepAlive();
        CheckThink(q);
        ChatInput input = ReadMessages(messages, "ChatRequest");

        if (model.Length == 0)
        {
            throw new ApiError(400, "model is required");
        }

        if (ModelName.Normalize(model) is null)
        {
            throw new ApiError(400, "invalid model name");
        }

        SimModel m = r.State.FindInstalled(model) ?? throw new ApiError(404, $"model '{model}' not found");

        JObj Message(string content) => new JObj().Add("role", "assistant").Add("content", content);

        if (input.Messages == 0 && keepAlive == TimeSpan.Zero)
        {
            r.State.ExpireRunner(m);
            await Http.JsonAsync(r.Http, 200, new JObj()
                .Add("model", model)
                .Add("created_at", GoTime.Now(r.State.Time))
                .Add("message", Message(string.Empty))
                .Add("done", true)
                .Add("done_reason", "unload"), r.Ct).ConfigureAwait(false);
            return;
        }

        if (!m.HasCapability("completion"))
        {
            throw new ApiError(400, $"\"{model}\" does not support chat");
        }

        if (tools is { } t && t.GetArrayLength() > 0 && !m.HasCapability("tools"))
        {
            throw new ApiError(400, $"{ModelName.Parse(m.Name)} does not support tools");
        }

        if (input.Images > 0 && !m.HasCapability("vision"))
        {
            throw new ApiError(400, $"{ModelName.Parse(m.Name)} does not support vision");
        }

        GenOptions opts = GenOptions.Parse(options);
        using Scheduled sched = await ScheduleAsync(r, m, opts.NumCtx, keepAlive).ConfigureAwait(false);
        long load = Ns((sched.LoadedAt - r.Start) / (double)Stopwatch.Frequency);

        if (input.Messages == 0)
        {
            await Http.JsonAsync(r.Http, 200, new JObj()
                .Add("model", model)
                .Add("created_at", GoTime.Now(r.State.Time))
                .Add("message", Message(string.Empty))
                .Add("done", true)
                .Add("done_reason", "load"), r.Ct).ConfigureAwait(false);
            return;
        }

        int promptTokens = TextGen.CountTokens(input.Text) + 4 * input.Messages + input.Images * 576;
        ulong seed = SeedOf(opts, m.Name, input.Text);

        JObj Chunk(string text, bool done) => new JObj()
            .Add("model", model)
            .Add("created_at", GoTime.Now(r.State.Time))
            .Add("message", Message(text))
            .Add("done", done);

        JObj Final(GenResult g, string content) =>
            Metrics(Chunk(content, true).Add("done_reason", g.DoneReason), NsSince(r.Start), load, g);

        int? badUtf8 = InvalidUtf8After(r);
        if (stream)
        {
            LineStream s = LineStream.Ndjson(r);
            GenResult g = await GenerateTokensAsync(r.State, m, promptTokens, opts, seed, tok => s.WriteAsync(Chunk(tok, false)), r.Ct, badUtf8).ConfigureAwait(false);
            if (g.Aborted)
            {
                await s.EnsureStartedAsync().ConfigureAwait(false);
                return;
            }

            await s.WriteAsync(Final(g, string.Empty)).ConfigureAwait(false);
        }
        else
        {
            GenResult g = await GenerateTokensAsync(r.State, m, promptTokens, opts, seed, null, r.Ct, badUtf8).ConfigureAwait(false);
            JObj answer = !g.Aborted ? Final(g, g.Text)
                : g.Tokens.Count == 0 ? ZeroValued().Add("message", new JObj().Add("role", string.Empty).Add("content", string.Empty)).Add("done", false)
                : Chunk(g.Text, false);
            await Http.JsonAsync(r.Http, 200, answer, r.Ct).ConfigureAwait(false);
        }
    }

    // ------------------------------------------------------------------ /api/embed

    internal sealed class EmbedResult
    {
        public List<float[]> Vectors { get; } = new();

        public int Tokens { get; set; }

        public long LoadNs { get; set; }
    }

    internal static List<string> ReadInput(JsonElement? input)
    {
        var list = new List<string>();
        if (input is not { } v)
        {
            return list;
        }

        switch (v.ValueKind)
        {
            case JsonValueKind.String:
                if (v.GetString() is { Length: > 0 } s)
                {
                    list.Add(s);
                }

                break;
            case JsonValueKind.Array:
                foreach (JsonElement e in v.EnumerateArray())
                {
                    if (e.ValueKind != JsonValueKind.String)
                    {
                        throw new ApiError(400, "invalid input type");
                    }

                    list.Add(e.GetString() ?? string.Empty);
                }

                break;
            default:
                throw new ApiError(400, "invalid input type");
        }

        return list;
    }

    /// <summary>Loads the model and computes embeddings (prompt evaluation time included).</summary>
    internal static async Task<EmbedResult> EmbedCoreAsync(Req r, SimModel m, List<string> inputs, int dimensions, GenOptions opts, TimeSpan? keepAlive)
    {
        using Scheduled sched = await ScheduleAsync(r, m, opts.NumCtx, keepAlive).ConfigureAwait(false);
        var result = new EmbedResult { LoadNs = Ns((sched.LoadedAt - r.Start) / (double)Stopwatch.Frequency) };
        if (inputs.Count == 0)
        {
            return result;
        }

        int tokens = inputs.Sum(TextGen.CountTokens);
        long pe = Stopwatch.GetTimestamp();
        double rate = m.PromptTokensPerSecond > 0 ? m.PromptTokensPerSecond : 1000;
        await PreciseWait.UntilAsync(pe, tokens / rate, r.Ct).ConfigureAwait(false);
        result.Tokens = tokens;
        foreach (string text in inputs)
        {
            float[] v = TextGen.Embedding(m.Name, text, m.EmbeddingLength);
            if (dimensions > 0 && dimensions < v.Length)
            {
                v = TextGen.Normalize(v.AsSpan(0, dimensions).ToArray());
            }

            result.Vectors.Add(v);
        }

        return result;
    }

    public async Task EmbedAsync(Req r)
    {
        GoRequest q = r.Decode("EmbedRequest");
        string model = q.GetString("model");
        JsonElement? input = q.GetRaw("input");
        q.GetBool("truncate");
        int dimensions = q.GetInt("dimensions");
        JsonElement? options = q.GetObject("options", "map[string]interface {}");
        TimeSpan? keepAlive = q.GetKeepAlive();

        if (model.Length == 0)
        {
            throw new ApiError(404, "model '' not found");
        }

        if (ModelName.Normalize(model) is null)
        {
            throw new ApiError(400, "invalid model name");
        }

        List<string> inputs = ReadInput(input);
        SimModel m = r.State.FindInstalled(model) ?? throw new ApiError(404, $"model '{model}' not found");
        if (r.State.IsModern && !m.HasCapability("embedding") && m.RemoteHost is null)
        {
            // 0.30+: the llama-server runner of a completion-only model has no embeddings endpoint.
            throw new ApiError(501, "This server does not support embeddings. Start it with `--embeddings`");
        }

        GenOptions opts = GenOptions.Parse(options);
        EmbedResult e = await EmbedCoreAsync(r, m, inputs, dimensions, opts, keepAlive).ConfigureAwait(false);

        var o = new JObj().Add("model", model);
        if (inputs.Count == 0)
        {
            o.Add("embeddings", Array.Empty<object>());
            await Http.JsonAsync(r.Http, 200, o, r.Ct).ConfigureAwait(false);
            return;
        }

        o.Add("embeddings", e.Vectors)
            .Add("total_duration", NsSince(r.Start))
            .AddIf(e.LoadNs != 0, "load_duration", e.LoadNs)
            .AddIf(e.Tokens != 0, "prompt_eval_count", e.Tokens);
        await Http.JsonAsync(r.Http, 200, o, r.Ct).ConfigureAwait(false);
    }

    /// <summary>The legacy /api/embeddings ({"embedding":[float64...]}).</summary>
    public async Task EmbeddingsAsync(Req r)
    {
        GoRequest q = r.Decode("EmbeddingRequest");
        string model = q.GetString("model");
        string prompt = q.GetString("prompt");
        JsonElement? options = q.GetObject("options", "map[string]interface {}");
        TimeSpan? keepAlive = q.GetKeepAlive();
        if (model.Length == 0)
        {
            throw new ApiError(400, "model is required");
        }

        if (ModelName.Normalize(model) is null)
        {
            throw new ApiError(400, "invalid model name");
        }

        SimModel m = r.State.FindInstalled(model) ?? throw new ApiError(404, $"model \"{model}\" not found, try pulling it first");
        var inputs = new List<string>();
        if (prompt.Length > 0)
        {
            inputs.Add(prompt);
        }

        EmbedResult e = await EmbedCoreAsync(r, m, inputs, 0, GenOptions.Parse(options), keepAlive).ConfigureAwait(false);
        // The legacy endpoint returns the raw (unnormalized in Ollama, here already unit) vector as float64.
        IEnumerable<double> values = e.Vectors.Count > 0 ? e.Vectors[0].Select(f => (double)f) : Enumerable.Empty<double>();
        await Http.JsonAsync(r.Http, 200, new JObj().Add("embedding", values.ToList()), r.Ct).ConfigureAwait(false);
    }
}
