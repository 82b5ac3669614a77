namespace ElixiModels.Reporting;

/// <summary>
/// One progress update as plain data: the bar it belongs to (<see cref="ActivityId"/>, under
/// <see cref="ParentActivityId"/> when it is a child bar), its title and status, and what is known of its end.
/// </summary>
public sealed record OperationProgress(int ActivityId, string Activity, string Status)
{
    /// <summary>The bar this one is shown under; null for a top-level bar.</summary>
    public int? ParentActivityId { get; init; }

    /// <summary>A second line of detail (e.g. the phase of a download).</summary>
    public string? CurrentOperation { get; init; }

    /// <summary>0–100; null when the end cannot be told (a load of unknown length).</summary>
    public int? Percent { get; init; }

    /// <summary>Estimated seconds left; null when unknown.</summary>
    public int? SecondsRemaining { get; init; }

    /// <summary>The bar's last update: it is removed.</summary>
    public bool Completed { get; init; }
}
