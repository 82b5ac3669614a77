using System;
using System.Diagnostics;
using System.IO;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>The README's main-job command (src/ElixiModels.Shell) on a machine without Ollama.</summary>
public sealed class ShellTests
{
    private static readonly string Shell = Repo.Path2("src", "ElixiModels.Shell", "bin", "Debug", "net10.0", "elixi.dll");

    [Fact]
    public async Task Without_ollama_it_starts_the_simulator_says_so_and_lists_models()
    {
        (int code, string output) = await RunAsync("--uri", SimulatedOllama.DeadUri().ToString());
        Assert.True(code == 0, output);
        Assert.Contains("started the ElixiModels Ollama simulator", output);
        Assert.Contains("simulated, not real", output);
        Assert.Contains("Name", output);
        Assert.Contains("qwen2.5-coder:7b", output);
        Assert.Contains("4.4 GiB", output);
        Assert.DoesNotContain("\u001b[", output);
    }

    [Fact]
    public async Task Runs_any_command_and_reports_errors_readably()
    {
        (int code, string output) = await RunAsync("--simulator", "Get-OllamaModel -Name lama3.2:3b");
        Assert.Equal(1, code);
        Assert.Contains("Did you mean: llama3.2:3b?", output);
        Assert.DoesNotContain("   at ", output);
    }

    private static async Task<(int, string)> RunAsync(params string[] args)
    {
        Assert.True(File.Exists(Shell), $"The shell is not built at {Shell}; build the solution first.");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(Shell);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment.Remove("OLLAMA_HOST");
        using Process p = Process.Start(psi)!;
        Task<string> stdout = p.StandardOutput.ReadToEndAsync();
        Task<string> stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
        return (p.ExitCode, await stdout + await stderr);
    }
}
