using System.Collections.Generic;
using System.Linq;
using ElixiModels.Reporting;

namespace ElixiModels.Tests.Harness;

/// <summary>Keeps what core work reports, for tests that run the core without PowerShell.</summary>
public sealed class RecordingReporter : IOperationReporter
{
    private readonly List<OperationProgress> _progress = new();
    private readonly List<string> _verbose = new();
    private readonly List<string> _warnings = new();

    public IReadOnlyList<OperationProgress> ProgressRecords
    {
        get
        {
            lock (_progress)
            {
                return _progress.ToList();
            }
        }
    }

    public IReadOnlyList<string> VerboseLines
    {
        get
        {
            lock (_verbose)
            {
                return _verbose.ToList();
            }
        }
    }

    public IReadOnlyList<string> Warnings
    {
        get
        {
            lock (_warnings)
            {
                return _warnings.ToList();
            }
        }
    }

    public void Progress(OperationProgress progress)
    {
        lock (_progress)
        {
            _progress.Add(progress);
        }
    }

    public void Verbose(string text)
    {
        lock (_verbose)
        {
            _verbose.Add(text);
        }
    }

    public void Warning(string text)
    {
        lock (_warnings)
        {
            _warnings.Add(text);
        }
    }
}
