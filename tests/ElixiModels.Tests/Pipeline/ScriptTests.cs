using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;
using System.Text.RegularExpressions;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>
/// The PowerShell files nobody can run here (pwsh and Pester are not installable): they must at least parse, and the
/// Pester files must be Pester 5 in shape — imports in BeforeAll, assertions with dashed operators.
/// </summary>
public sealed class ScriptTests
{
    public static IEnumerable<object[]> Scripts() => Directory.GetFiles(Repo.Root, "*.ps*1", SearchOption.AllDirectories)
        .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}") && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}")
            && !f.Contains($"{Path.DirectorySeparatorChar}artifacts{Path.DirectorySeparatorChar}") && (f.EndsWith(".ps1", StringComparison.Ordinal) || f.EndsWith(".psm1", StringComparison.Ordinal) || f.EndsWith(".psd1", StringComparison.Ordinal)))
        .Select(f => new object[] { Path.GetRelativePath(Repo.Root, f) });

    [Theory]
    [MemberData(nameof(Scripts))]
    public void Parses_without_errors(string relative)
    {
        Parser.ParseFile(Path.Combine(Repo.Root, relative), out _, out ParseError[] errors);
        Assert.True(errors.Length == 0, relative + ": " + string.Join("; ", errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
    }

    public static IEnumerable<object[]> PesterFiles() => Directory.GetFiles(Path.Combine(Repo.Root, "tests"), "*.Tests.ps1")
        .Select(f => new object[] { Path.GetFileName(f) });

    [Theory]
    [MemberData(nameof(PesterFiles))]
    public void Pester_files_are_pester_5(string file)
    {
        string path = Path.Combine(Repo.Root, "tests", file);
        ScriptBlockAst ast = Parser.ParseFile(path, out _, out _);
        string text = File.ReadAllText(path);
        Assert.Contains("Describe", text);
        // Pester 5 runs top-level code at discovery: imports and setup belong in BeforeAll / BeforeDiscovery.
        var topLevel = ast.EndBlock.Statements.OfType<PipelineAst>()
            .Select(p => p.PipelineElements[0]).OfType<CommandAst>().Select(c => c.GetCommandName()).ToList();
        Assert.DoesNotContain("Import-Module", topLevel);
        Assert.DoesNotMatch(new Regex(@"\bShould\s+(Be|BeExactly|Throw|Match|Contain)\b"), text);
        Assert.DoesNotMatch(new Regex(@"\bAssert-MockCalled\b"), text);
    }

    [Fact]
    public void Every_exported_cmdlet_has_a_pester_file()
    {
        foreach (string cmdlet in ModuleTests.Cmdlets)
        {
            Assert.True(File.Exists(Path.Combine(Repo.Root, "tests", cmdlet + ".Tests.ps1")), "no Pester file for " + cmdlet);
        }
    }
}
