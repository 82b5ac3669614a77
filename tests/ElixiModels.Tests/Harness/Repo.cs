using System;
using System.IO;

namespace ElixiModels.Tests.Harness;

/// <summary>Paths inside the repository the tests run from.</summary>
public static class Repo
{
    public static readonly string Root = FindRoot();

    public static string Manifest => Path.Combine(Root, "ElixiModels.psd1");

    public static string ModuleLib => Path.Combine(Root, "module", "bin", "lib");

    public static string Path2(params string[] parts) => Path.Combine(Root, Path.Combine(parts));

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
