namespace ElixiModels.Reporting;

/// <summary>
/// How core work tells whoever runs it what is happening: progress, verbose text and warnings. Called on the work's
/// own thread; an implementation that shows them elsewhere (the pipeline thread) queues them in order.
/// </summary>
public interface IOperationReporter
{
    void Progress(OperationProgress progress);

    void Verbose(string text);

    void Warning(string text);
}

/// <summary>A reporter that drops everything: for work nobody watches.</summary>
public sealed class NullOperationReporter : IOperationReporter
{
    public static readonly NullOperationReporter Instance = new();

    private NullOperationReporter()
    {
    }

    public void Progress(OperationProgress progress)
    {
    }

    public void Verbose(string text)
    {
    }

    public void Warning(string text)
    {
    }
}
