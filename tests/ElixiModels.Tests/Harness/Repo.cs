using System;
using System.Diagnostics;
using System.IO;

namespace ElixiModels.Tests.Harness;

/// <summary>Paths inside the repository the tests run from.</summary>
public static class Repo
{
    public static readonly string Root = FindRoot();

    public static string Manifest => Path.Combine(Root, "ElixiModels.psd1");

    public static string ModuleLib => Path.Combine(Root, "module", "bin", "lib");

    public static string Path2(params string[] parts) => Path.Combine(Root, Path.Combine(parts));

    private static readonly Lazy<string> Pwsh = new(FindPwsh);

    /// <summary>
    /// A fresh real pwsh 7.6.9 process (the repository's .NET tool) that imports the module and runs
    /// <paramref name="script"/>, its output redirected.
    /// </summary>
    public static ProcessStartInfo PwshWithModule(string script)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
        foreach (string a in new[] { "exec", Pwsh.Value, "-NoProfile", "-NonInteractive", "-Command", $"Import-Module '{Manifest}'; {script}" })
        {
            psi.ArgumentList.Add(a);
        }

        return psi;
    }

    private static string FindPwsh()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Root };
        foreach (string a in new[] { "pwsh", "-NoProfile", "-Command", "Join-Path $PSHOME pwsh.dll" })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string dll = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return File.Exists(dll) ? dll : throw new InvalidOperationException("pwsh 7.6.9 is not installed: run 'dotnet tool restore' in the repository.");
    }

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ElixiModels.sln")))
        {
            dir = dir.Parent;
        }

        return dir?.FullName ?? throw new InvalidOperationException("Cannot find the repository root (ElixiModels.sln) above " + AppContext.BaseDirectory);
    }
}
