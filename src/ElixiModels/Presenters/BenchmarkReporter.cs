using System;
using System.Management.Automation;
using ElixiModels.Benchmark;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;

namespace ElixiModels.Presenters;

/// <summary>
/// Shows a benchmark's progress: one bar for the model (warm-up and runs, over all models of the invocation) and a
/// child bar for the current run's tokens. Warnings go to the warning stream. Used by Measure-OllamaModel and
/// Select-OllamaModel -Benchmark.
/// </summary>
internal sealed class BenchmarkReporter : IBenchmarkObserver
{
    private const int ModelActivity = 1;
    private const int RunActivity = 2;
    private readonly PipelineBridge _bridge;
    private readonly string _host;
    private readonly int _models;
    private int _index;

    public BenchmarkReporter(PipelineBridge bridge, string host, int models)
    {
        _bridge = bridge;
        _host = host;
        _models = Math.Max(1, models);
    }

    /// <summary>The next model (0-based) of the invocation is about to be measured.</summary>
    public void StartModel(int index) => _index = index;

    public void OnProgress(BenchmarkProgress p)
    {
        string activity = $"Measuring {p.Model} on {_host}" + (_models > 1 ? $" (model {_index + 1} of {_models})" : string.Empty);
        switch (p.Phase)
        {
            case BenchmarkPhase.Done:
                _bridge.WriteProgress(new ProgressRecord(RunActivity, "Run", "Done") { ParentActivityId = ModelActivity, RecordType = ProgressRecordType.Completed });
                if (_index + 1 >= _models)
                {
                    _bridge.WriteProgress(new ProgressRecord(ModelActivity, activity, "Done") { RecordType = ProgressRecordType.Completed });
                }

                return;
            case BenchmarkPhase.Preparing:
            case BenchmarkPhase.Unloading:
                _bridge.WriteProgress(new ProgressRecord(ModelActivity, activity, p.Phase == BenchmarkPhase.Preparing ? "Reading the model's details" : "Unloading")
                {
                    PercentComplete = Percent(_index + (p.Phase == BenchmarkPhase.Unloading ? 1.0 : 0.0), _models),
                });
                return;
        }

        bool warm = p.Phase == BenchmarkPhase.Warmup;
        string status = warm
            ? $"Warm-up {p.Run} of {p.Runs} (not counted)"
            : $"Run {p.Run} of {p.Runs}" + (p.Failed > 0 ? $" ({p.Failed} failed so far)" : string.Empty);
        double done = warm || p.Runs == 0 ? 0 : (p.Run - 1) / (double)p.Runs;
        if (p.Tokens == 0)
        {
            _bridge.WriteProgress(new ProgressRecord(ModelActivity, activity, status) { PercentComplete = Percent(_index + done, _models) });
        }

        _bridge.WriteProgress(new ProgressRecord(RunActivity, warm ? $"Warm-up {p.Run}" : $"Run {p.Run}", $"{p.Tokens} of {p.MaxTokens} tokens")
        {
            ParentActivityId = ModelActivity,
            PercentComplete = Percent(p.Tokens, p.MaxTokens),
        });
    }

    public void OnWarning(string message) => _bridge.WriteWarning(message);

    private static int Percent(double done, double total) =>
        total <= 0 ? 0 : (int)Math.Max(0, Math.Min(100, Math.Round(done * 100 / total)));
}
