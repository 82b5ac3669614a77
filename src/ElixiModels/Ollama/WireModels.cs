using System;
using ElixiModels.Models;
using System.Collections.Generic;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ElixiModels.Ollama;

// Shapes of Ollama's JSON that OllamaSharp 5.5.2 does not model (context_length in /api/ps, stream lines).

/// <summary>The details block shared by /api/tags, /api/ps and /api/show.</summary>
public sealed class WireDetails
{
    [JsonPropertyName("parent_model")] public string? ParentModel { get; set; }
    [JsonPropertyName("format")] public string? Format { get; set; }
    [JsonPropertyName("family")] public string? Family { get; set; }
    [JsonPropertyName("families")] public string[]? Families { get; set; }
    [JsonPropertyName("parameter_size")] public string? ParameterSize { get; set; }
    [JsonPropertyName("quantization_level")] public string? QuantizationLevel { get; set; }

    /// <summary>Ollama 0.30+, /api/tags only: the GGUF's trained context length.</summary>
    [JsonPropertyName("context_length")] public int? ContextLength { get; set; }

    /// <summary>Ollama 0.30+, /api/tags only.</summary>
    [JsonPropertyName("embedding_length")] public int? EmbeddingLength { get; set; }
}

/// <summary>One installed model as /api/tags reports it.</summary>
public sealed class WireModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = string.Empty;
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("modified_at")] public DateTimeOffset ModifiedAt { get; set; }
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("digest")] public string Digest { get; set; } = string.Empty;
    [JsonPropertyName("details")] public WireDetails? Details { get; set; }
    [JsonPropertyName("remote_host")] public string? RemoteHost { get; set; }
    [JsonPropertyName("remote_model")] public string? RemoteModel { get; set; }

    /// <summary>Ollama 0.30+: what /api/show used to be needed for; null from older servers.</summary>
    [JsonPropertyName("capabilities")] public string[]? Capabilities { get; set; }

    /// <summary>A cloud model (runs on ollama.com, nothing local): it names a remote host, or its tag ends in "cloud". The one cloud rule.</summary>
    [JsonIgnore]
    public bool IsCloud => !string.IsNullOrEmpty(RemoteHost) || ModelName.SplitNormal(ModelName.Normalize(Name)).Tag.EndsWith("cloud", StringComparison.OrdinalIgnoreCase);
}

/// <summary>One loaded model as /api/ps reports it.</summary>
public sealed class WireRunningModel
{
    [JsonPropertyName("name")] public string Name { get; set; } = string.Empty;
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("size")] public long Size { get; set; }
    [JsonPropertyName("digest")] public string Digest { get; set; } = string.Empty;
    [JsonPropertyName("details")] public WireDetails? Details { get; set; }
    [JsonPropertyName("expires_at")] public DateTimeOffset ExpiresAt { get; set; }
    [JsonPropertyName("size_vram")] public long SizeVram { get; set; }
    [JsonPropertyName("context_length")] public int ContextLength { get; set; }
}

internal sealed class WireRunningList
{
    [JsonPropertyName("models")] public List<WireRunningModel>? Models { get; set; }
}

internal sealed class WireModelList
{
    [JsonPropertyName("models")] public List<WireModel>? Models { get; set; }
}

/// <summary>The parts of /api/show the module uses.</summary>
public sealed class WireShow
{
    [JsonPropertyName("parameters")] public string? Parameters { get; set; }
    [JsonPropertyName("template")] public string? Template { get; set; }
    [JsonPropertyName("system")] public string? System { get; set; }
    [JsonPropertyName("license")] public string? License { get; set; }
    [JsonPropertyName("details")] public WireDetails? Details { get; set; }
    [JsonPropertyName("model_info")] public Dictionary<string, JsonElement>? ModelInfo { get; set; }
    [JsonPropertyName("capabilities")] public string[]? Capabilities { get; set; }
    [JsonPropertyName("modified_at")] public DateTimeOffset? ModifiedAt { get; set; }
}

/// <summary>One line of a /api/pull stream.</summary>
public sealed class PullUpdate
{
    [JsonPropertyName("status")] public string? Status { get; set; }
    [JsonPropertyName("digest")] public string? Digest { get; set; }
    [JsonPropertyName("total")] public long? Total { get; set; }
    [JsonPropertyName("completed")] public long? Completed { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }
}

/// <summary>One line of a /api/generate stream; the last one (Done) carries the server's timings in nanoseconds.</summary>
public sealed class GenerateChunk
{
    [JsonPropertyName("model")] public string? Model { get; set; }
    [JsonPropertyName("created_at")] public DateTimeOffset? CreatedAt { get; set; }
    [JsonPropertyName("response")] public string? Response { get; set; }
    [JsonPropertyName("thinking")] public string? Thinking { get; set; }
    [JsonPropertyName("done")] public bool Done { get; set; }
    [JsonPropertyName("done_reason")] public string? DoneReason { get; set; }
    [JsonPropertyName("total_duration")] public long? TotalDuration { get; set; }
    [JsonPropertyName("load_duration")] public long? LoadDuration { get; set; }
    [JsonPropertyName("prompt_eval_count")] public int? PromptEvalCount { get; set; }
    [JsonPropertyName("prompt_eval_duration")] public long? PromptEvalDuration { get; set; }
    [JsonPropertyName("eval_count")] public int? EvalCount { get; set; }
    [JsonPropertyName("eval_duration")] public long? EvalDuration { get; set; }
    [JsonPropertyName("error")] public string? Error { get; set; }

    /// <summary>
    /// Set by the client, never by the server: the stream ended after <see cref="StreamedTokens"/> token lines with no
    /// done line (Ollama stops a generation whose token repeats more than 30 times, and 0.30+ one whose text is not
    /// valid UTF-8), or ran past num_predict and was stopped by the client. <see cref="DoneReason"/> is "aborted".
    /// </summary>
    [JsonIgnore] public bool Aborted { get; internal set; }

    /// <summary>Token lines received (lines with done false), counted by the client.</summary>
    [JsonIgnore] public int StreamedTokens { get; internal set; }

    /// <summary>A zero-valued answer ("model":"", created_at 0001-01-01): what Ollama 0.30+ sends when it has nothing to return.</summary>
    internal bool IsZeroValue => !Done && Model is { Length: 0 } && (CreatedAt is null || CreatedAt.Value.Year <= 1);
}

/// <summary>How long Ollama keeps a model in memory after a request.</summary>
public readonly struct KeepAlive : IEquatable<KeepAlive>
{
    private KeepAlive(TimeSpan? duration) => Duration = duration;

    /// <summary>Null means forever.</summary>
    public TimeSpan? Duration { get; }

    public bool IsForever => Duration is null;

    public static KeepAlive Forever => new(null);

    public static KeepAlive Unload => new(TimeSpan.Zero);

    public static KeepAlive For(TimeSpan duration) => duration < TimeSpan.Zero ? Forever : new KeepAlive(duration);

    /// <summary>
    /// The JSON value to send: seconds as a number, which every Ollama accepts ("-1" as a string is rejected with
    /// 400 "missing unit in duration"); a negative number means forever.
    /// </summary>
    public double ToWireSeconds() => Duration is { } d ? Math.Round(d.TotalSeconds, 3) : -1;

    public override string ToString() => Duration is { } d ? d.ToString() : "Forever";

    public bool Equals(KeepAlive other) => Duration == other.Duration;

    public override bool Equals(object? obj) => obj is KeepAlive k && Equals(k);

    public override int GetHashCode() => Duration.GetHashCode();
}
