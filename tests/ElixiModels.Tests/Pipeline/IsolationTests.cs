using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>
/// PowerShell 7.4 runs on .NET 8, whose System.Text.Json is 8.0; OllamaSharp 5.5.2 needs 10.0. These run the module's
/// dependency folder under a real .NET 8 runtime (tests/IsolationProbe, self-contained) against the simulator.
/// </summary>
public sealed class IsolationTests
{
    private static readonly string Probe = Repo.Path2("tests", "IsolationProbe", "bin", "Debug", "net8.0",
        System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier, "IsolationProbe");

    [Fact]
    public async Task Through_the_loader_the_module_works_on_dotnet8()
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        (int code, string output) = await RunProbeAsync("isolated", sim.BaseUri);
        Assert.True(code == 0, output);
        Assert.Contains("runtime: 8.0.", output);
        Assert.Contains("System.Text.Json in default context: 8.0", output);
        Assert.Contains("model: llama3.2:3b", output);
        Assert.Contains("OllamaSharp loaded in: ElixiModels", output);
    }

    [Fact]
    public async Task Without_the_loader_the_same_call_fails_on_dotnet8()
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        (int code, string output) = await RunProbeAsync("direct", sim.BaseUri);
        Assert.Equal(3, code);
        Assert.Contains("System.IO.FileLoadException", output);
        Assert.Contains("System.Text.Json, Version=10.0.0.0", output);
    }

    private static async Task<(int, string)> RunProbeAsync(string mode, Uri uri)
    {
        Assert.True(File.Exists(Probe), $"The isolation probe is not built at {Probe}; build the solution (dotnet build ElixiModels.sln).");
        var psi = new ProcessStartInfo(Probe)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.ArgumentList.Add(mode);
        psi.ArgumentList.Add(Repo.Path2("module", "bin"));
        psi.ArgumentList.Add(uri.ToString());
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        return (p.ExitCode, await stdout + await stderr);
    }
}
