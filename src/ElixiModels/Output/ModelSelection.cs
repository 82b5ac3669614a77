using System;
using System.Collections.Generic;
using ElixiModels.Selection;

namespace ElixiModels.Models;

/// <summary>A model Select-OllamaModel chose (or ranked) for a task, with its score and the reason in plain words.</summary>
public sealed class ModelSelection
{
    /// <summary>
    /// 1 for the chosen model, then 2, 3, … for the runners-up (-Top, -All). Not named Rank: on an array of
    /// selections, (...).Rank is the array's own Rank (its number of dimensions), not the selections' ranks.
    /// </summary>
    public int SelectionRank { get; internal init; }

    /// <summary>Full model name; binds to -Name of Switch-OllamaModel and Measure-OllamaModel.</summary>
    public string Name { get; internal init; } = string.Empty;

    public string Host { get; internal init; } = string.Empty;

    /// <summary>The task it was chosen for (general, coding, …).</summary>
    public string Task { get; internal init; } = string.Empty;

    /// <summary>0–100; see Select-OllamaModel's help (or ModelSelector) for the formula.</summary>
    public double Score { get; internal init; }

    public string Reason { get; internal init; } = string.Empty;

    /// <summary>Not made for the task; chosen because nothing better is installed.</summary>
    public bool IsFallback { get; internal init; }

    /// <summary>The parts of <see cref="Score"/>.</summary>
    public double FitPoints { get; internal init; }

    public double QualityPoints { get; internal init; }
    public double SpeedPoints { get; internal init; }
    public double LoadedPoints { get; internal init; }

    /// <summary>Median generation speed from this session's benchmark, if measured.</summary>
    public double? TokensPerSecond { get; internal init; }

    public bool SpeedMeasured { get; internal init; }
    public string? Family { get; internal init; }
    /// <summary>Number of parameters (7.6B is 7600000000); the format view shows it as 7.6B.</summary>
    public long? ParameterSize { get; internal init; }
    public string? Quantization { get; internal init; }
    /// <summary>Size on disk in bytes (shown in binary units).</summary>
    public long Size => SizeBytes;

    /// <summary>The same number as <see cref="Size"/>.</summary>
    public long SizeBytes { get; internal init; }

    /// <summary>Memory the model needs when loaded (measured if it is loaded, else estimated).</summary>
    public long EstimatedMemoryBytes { get; internal init; }

    public int? ContextLength { get; internal init; }
    public IReadOnlyList<string> Capabilities { get; internal init; } = Array.Empty<string>();
    public bool IsLoaded { get; internal init; }
    public bool IsCloud { get; internal init; }

    public override string ToString() => Name;

    /// <param name="s">The ranked candidate.</param>
    /// <param name="rank">1 for the best.</param>
    /// <param name="task">What it was chosen for.</param>
    /// <param name="note">Advice the selector cannot know (e.g. a better model to install), added to its Reason.</param>
    internal static ModelSelection From(ScoredCandidate s, int rank, ModelTask task, string? note = null)
    {
        ModelCandidate c = s.Candidate;
        return new ModelSelection
        {
            SelectionRank = rank,
            Name = c.Name,
            Host = c.Host,
            Task = TaskClassifier.Name(task),
            Score = s.Score,
            Reason = note is null ? s.Reason : s.Reason + " " + note,
            IsFallback = s.IsFallback,
            FitPoints = s.FitPoints,
            QualityPoints = s.QualityPoints,
            SpeedPoints = s.SpeedPoints,
            LoadedPoints = s.LoadedPoints,
            TokensPerSecond = c.MeasuredTokensPerSecond,
            SpeedMeasured = s.SpeedMeasured,
            Family = c.Family,
            ParameterSize = c.ParameterCount ?? Units.ParseParameterSize(c.ParameterSize),
            Quantization = c.Quantization,
            SizeBytes = c.SizeBytes,
            EstimatedMemoryBytes = s.EstimatedMemoryBytes,
            ContextLength = c.ContextLength,
            Capabilities = c.Capabilities ?? Array.Empty<string>(),
            IsLoaded = c.IsLoaded,
            IsCloud = c.IsCloud,
        };
    }
}
