using System;
using System.IO;
using System.Runtime.CompilerServices;

namespace ElixiModels.Tests.Unit;

/// <summary>Keeps every test of this process away from the user's real benchmark history: a temporary one instead.</summary>
internal static class HistoryIsolation
{
    [ModuleInitializer]
    internal static void UseTemporaryHistory()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(History.BenchmarkHistory.PathVariable)))
        {
            Environment.SetEnvironmentVariable(History.BenchmarkHistory.PathVariable,
                Path.Combine(Path.GetTempPath(), "elixi-history-xunit-" + Environment.ProcessId));
        }
    }
}
