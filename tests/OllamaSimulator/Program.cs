using System;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Threading.Tasks;

namespace OllamaSimulator;

/// <summary>Standalone: <c>dotnet run --project tests/OllamaSimulator -- --port 11434 [--empty]</c>.</summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        int port = 11434;
        bool empty = false;
        string? version = null;
        for (int i = 0; i < args.Length; i++)
        {
            string a = args[i];
            if (a is "--port" or "-p" && i + 1 < args.Length)
            {
                port = int.Parse(args[++i], CultureInfo.InvariantCulture);
            }
            else if (a.StartsWith("--port=", StringComparison.Ordinal))
            {
                port = int.Parse(a.AsSpan(7), CultureInfo.InvariantCulture);
            }
            else if (a == "--ollama-version" && i + 1 < args.Length)
            {
                version = args[++i];
            }
            else if (a.StartsWith("--ollama-version=", StringComparison.Ordinal))
            {
                version = a.Substring("--ollama-version=".Length);
            }
            else if (a == "--legacy")
            {
                version = SimulatorState.LegacyVersion;
            }
            else if (a == "--empty")
            {
                empty = true;
            }
            else if (a is "--help" or "-h")
            {
                Console.WriteLine("usage: OllamaSimulator [--port N] [--empty] [--ollama-version V | --legacy]");
                Console.WriteLine("  --port N   listen on 127.0.0.1:N (default 11434; 0 picks a free port)");
                Console.WriteLine("  --empty    start with no installed models (the remote library is still there)");
                Console.WriteLine($"  --ollama-version V  answer as Ollama V (default {SimulatorState.CurrentVersion}; 0.30+ API or 0.23 API)");
                Console.WriteLine($"  --legacy   the same as --ollama-version {SimulatorState.LegacyVersion}");
                return 0;
            }
            else
            {
                Console.Error.WriteLine($"unknown argument: {a}");
                return 2;
            }
        }

        SimulatorState state = Initial(empty, version);
        state.Initial = () => Initial(empty, version);

        // Hook Ctrl+C / SIGTERM before announcing the address, so a signal right after the line is handled.
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            done.TrySetResult();
        };
        using PosixSignalRegistration term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, ctx =>
        {
            ctx.Cancel = true;
            done.TrySetResult();
        });

        await using SimulatorServer server = await SimulatorServer.StartAsync(state, port);
        Console.WriteLine($"Ollama simulator listening on http://127.0.0.1:{server.Port}");
        await done.Task;
        await server.StopAsync();
        return 0;
    }

    private static SimulatorState Initial(bool empty, string? version)
    {
        SimulatorState state = SimulatorState.CreateDefault();
        if (version is not null)
        {
            state.Version = version;
        }

        if (empty)
        {
            foreach (SimModel m in state.Installed)
            {
                state.RemoveInstalled(m.Name);
            }
        }

        return state;
    }
}
