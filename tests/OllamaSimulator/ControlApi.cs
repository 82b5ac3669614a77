using System;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace OllamaSimulator;

/// <summary>
/// Test control for an out-of-process simulator (the Pester suite): /_simulator/... is never logged and never
/// faulted. POST faults {"failNext":{"path","status","error","times"}, "errorLineAfter":{"path","lines","error"},
/// "cutStreamAfter":{"path","lines"}, "malformedNext":{"path"}, "refuseConnections":bool, "responseDelayMs":n,
/// "coldLoadExtraMs":n, "pullBytesPerSecond":n, "invalidUtf8After":{"path","tokens","times"}}; POST settings
/// {"version","tokenRepeatLimit","maxLoadedModels","systemMemoryBytes"}; POST model {"name","repeatsAfter"}; POST reset (faults, log, and the models as at start); GET log[?path=/api/show]; POST remote-digest
/// {"name","digest"}; POST digest {"name","digest"}; GET loaded.
/// </summary>
internal static class ControlApi
{
    public const string Prefix = "/_simulator/";

    public static async Task HandleAsync(HttpContext ctx, SimulatorState state, string method, string path, byte[] body, CancellationToken ct)
    {
        string action = path.Substring(Prefix.Length).Trim('/');
        JsonObject? input = body.Length > 0 ? JsonNode.Parse(Encoding.UTF8.GetString(body)) as JsonObject : null;
        switch ((method, action))
        {
            case ("POST", "reset"):
                state.Faults.Reset();
                state.RestoreModels();
                state.Log.Clear();
                await OkAsync(ctx, ct);
                return;
            case ("POST", "faults"):
                ApplyFaults(state.Faults, input ?? new JsonObject());
                await OkAsync(ctx, ct);
                return;
            case ("GET", "log"):
                string? filter = ctx.Request.Query["path"];
                var entries = state.Log.Entries
                    .Where(e => filter is null || e.Path.StartsWith(filter, StringComparison.Ordinal))
                    .Select(e => new { at = e.At, method = e.Method, path = e.Path, model = e.Model });
                await WriteAsync(ctx, 200, JsonSerializer.Serialize(entries), ct);
                return;
            case ("POST", "remote-digest"):
                state.SetRemoteDigest(Required(input, "name"), Required(input, "digest"));
                await OkAsync(ctx, ct);
                return;
            case ("POST", "digest"):
                state.SetDigest(Required(input, "name"), Required(input, "digest"));
                await OkAsync(ctx, ct);
                return;
            case ("POST", "settings"):
                ApplySettings(state, input ?? new JsonObject());
                await OkAsync(ctx, ct);
                return;
            case ("POST", "model"):
                ApplyModel(state, input ?? new JsonObject());
                await OkAsync(ctx, ct);
                return;
            case ("GET", "loaded"):
                await WriteAsync(ctx, 200, JsonSerializer.Serialize(state.Loaded.Select(l => l.Name)), ct);
                return;
            default:
                await WriteAsync(ctx, 404, "{\"error\":\"unknown simulator control " + method + " " + action + "\"}", ct);
                return;
        }
    }

    private static void ApplyFaults(FaultSettings faults, JsonObject f)
    {
        if (f["failNext"] is JsonObject fail)
        {
            faults.FailNext(Str(fail, "path"), Int(fail, "status", 500), Str(fail, "error"), Int(fail, "times", 1));
        }

        if (f["errorLineAfter"] is JsonObject line)
        {
            faults.ErrorLineAfter(Str(line, "path"), Int(line, "lines", 1), Str(line, "error"), Int(line, "times", 1));
        }

        if (f["cutStreamAfter"] is JsonObject cut)
        {
            faults.CutStreamAfter(Str(cut, "path"), Int(cut, "lines", 1), Int(cut, "times", 1));
        }

        if (f["malformedNext"] is JsonObject bad)
        {
            faults.MalformedJsonNext(Str(bad, "path"), Int(bad, "times", 1));
        }

        if (f["invalidUtf8After"] is JsonObject utf8)
        {
            faults.InvalidUtf8After(Str(utf8, "path"), Int(utf8, "tokens", 0), Int(utf8, "times", 1));
        }

        if (f["refuseConnections"] is JsonValue refuse)
        {
            faults.RefuseConnections = refuse.GetValue<bool>();
        }

        if (f["responseDelayMs"] is JsonValue delay)
        {
            faults.ResponseDelay = TimeSpan.FromMilliseconds(delay.GetValue<double>());
        }

        if (f["coldLoadExtraMs"] is JsonValue cold)
        {
            faults.ColdLoadExtra = TimeSpan.FromMilliseconds(cold.GetValue<double>());
        }

        if (f["pullBytesPerSecond"] is JsonValue rate)
        {
            faults.PullBytesPerSecond = rate.GetValue<double>();
        }
    }

    /// <summary>{"version":"0.23.0"} answers as that release; {"tokenRepeatLimit":n} (0 turns the abort off);
    /// {"maxLoadedModels":n} (0: no limit); {"systemMemoryBytes":n} (null: no limit).</summary>
    private static void ApplySettings(SimulatorState state, JsonObject o)
    {
        if (o["version"] is JsonValue v)
        {
            state.Version = v.GetValue<string>();
        }

        if (o["tokenRepeatLimit"] is JsonValue limit)
        {
            state.TokenRepeatLimit = limit.GetValue<int>();
        }

        if (o["maxLoadedModels"] is JsonValue max)
        {
            state.MaxLoadedModels = max.GetValue<int>();
        }

        if (o.ContainsKey("systemMemoryBytes"))
        {
            state.SystemMemoryBytes = o["systemMemoryBytes"] is JsonValue mem ? mem.GetValue<long>() : null;
        }
    }

    /// <summary>{"name":"gemma3:1b","repeatsAfter":3}: that model's text repeats after 3 tokens (null: never).</summary>
    private static void ApplyModel(SimulatorState state, JsonObject o)
    {
        string name = Required(o, "name");
        SimModel m = state.FindInstalled(name) ?? throw new ArgumentException($"model '{name}' is not installed");
        if (o.ContainsKey("repeatsAfter"))
        {
            m.RepeatsAfter = o["repeatsAfter"] is JsonValue n ? n.GetValue<int>() : null;
        }
    }

    private static string Required(JsonObject? o, string name) =>
        o?[name]?.GetValue<string>() ?? throw new ArgumentException($"'{name}' is required");

    private static string Str(JsonObject o, string name) => o[name]?.GetValue<string>() ?? string.Empty;

    private static int Int(JsonObject o, string name, int fallback) => o[name] is JsonValue v ? v.GetValue<int>() : fallback;

    private static Task OkAsync(HttpContext ctx, CancellationToken ct) => WriteAsync(ctx, 200, "{\"ok\":true}", ct);

    private static Task WriteAsync(HttpContext ctx, int status, string json, CancellationToken ct) =>
        Http.BytesAsync(ctx, status, Http.JsonType, Encoding.UTF8.GetBytes(json), ct);
}
