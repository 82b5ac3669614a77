using System.Management.Automation;
using ElixiModels.Cmdlets;
using ElixiModels.Reporting;

namespace ElixiModels.Presenters;

/// <summary>
/// Shows what core work reports on the pipeline: progress as ProgressRecords, verbose text and warnings, all written
/// through the <see cref="PipelineBridge"/> (so on the pipeline thread, in order).
/// </summary>
internal sealed class BridgeReporter : IOperationReporter
{
    private readonly PipelineBridge _bridge;

    public BridgeReporter(PipelineBridge bridge) => _bridge = bridge;

    /// <summary>Added to every activity id, so the bars of the same work on several servers stay apart.</summary>
    public int IdOffset { get; init; }

    /// <summary>Appended to every top-level activity, e.g. " on http://gpu1:11434" when several servers are at work.</summary>
    public string? ActivitySuffix { get; init; }

    public void Progress(OperationProgress progress) => _bridge.WriteProgress(ToRecord(progress));

    public void Verbose(string text) => _bridge.WriteVerbose(text);

    public void Warning(string text) => _bridge.WriteWarning(text);

    private ProgressRecord ToRecord(OperationProgress p) => new(p.ActivityId + IdOffset,
        p.ParentActivityId is null && ActivitySuffix is not null ? p.Activity + ActivitySuffix : p.Activity, p.Status)
    {
        ParentActivityId = p.ParentActivityId is { } parent ? parent + IdOffset : -1,
        CurrentOperation = p.CurrentOperation,
        PercentComplete = p.Percent ?? -1,
        SecondsRemaining = p.SecondsRemaining ?? -1,
        RecordType = p.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
    };
}
