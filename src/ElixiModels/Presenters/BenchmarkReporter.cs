using System;
using ElixiModels.Benchmark;
using ElixiModels.Cmdlets;
using ElixiModels.Reporting;

namespace ElixiModels.Presenters;

/// <summary>
/// Shows a benchmark's progress: the engine's bar of one model becomes one bar over all models of the invocation
/// (completed after the last one), with the current run's tokens as a child bar. The activity stays short
/// ("Measuring qwen3:4b") and the status leads with the run ("Run 2 of 3 · model 1 of 2 · server"), since a console
/// cuts an activity longer than half its width and a status at its end. Warnings go to the warning stream.
/// Used by Measure-OllamaModel and Select-OllamaModel -Benchmark.
/// </summary>
internal sealed class BenchmarkReporter : IOperationReporter
{
    private readonly BridgeReporter _output;
    private readonly string _host;
    private readonly int _models;
    private int _index;

    public BenchmarkReporter(PipelineBridge bridge, string host, int models)
    {
        _output = new BridgeReporter(bridge);
        _host = host;
        _models = Math.Max(1, models);
    }

    /// <summary>The next model (0-based) of the invocation is about to be measured.</summary>
    public void StartModel(int index) => _index = index;

    public void Progress(OperationProgress progress)
    {
        if (progress.ActivityId != BenchmarkEngine.ModelActivity)
        {
            _output.Progress(progress);
            return;
        }

        if (progress.Completed && _index + 1 < _models)
        {
            return;
        }

        _output.Progress(progress with
        {
            Status = progress.Status + (_models > 1 ? $" · model {_index + 1} of {_models}" : string.Empty) + $" · {_host}",
            Percent = progress.Percent is { } p ? (int)Math.Max(0, Math.Min(100, Math.Round((_index * 100.0 + p) / _models))) : null,
        });
    }

    public void Verbose(string text) => _output.Verbose(text);

    public void Warning(string text) => _output.Warning(text);
}
