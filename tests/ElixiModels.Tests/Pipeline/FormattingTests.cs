using System;
using System.Collections.Generic;
using System.Linq;
using System.Xml.Linq;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>Every output type has table and list views, renders through Out-Default, and has a readable ToString().</summary>
public sealed class FormattingTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public System.Threading.Tasks.Task InitializeAsync() => _sim.InitializeAsync();

    public System.Threading.Tasks.Task DisposeAsync() => _sim.DisposeAsync();

    // Each output type with a command that produces it against the simulator and a column or label its view shows.
    public static IEnumerable<object[]> Outputs() => new[]
    {
        new object[] { "ElixiModels.Models.OllamaModel", "Get-OllamaModel", "Params" },
        new object[] { "ElixiModels.Models.OllamaRunningModel", "Switch-OllamaModel phi3:mini | Out-Null; Get-OllamaModel -Loaded", "Processor" },
        new object[] { "ElixiModels.Models.OllamaCatalogModel", "Get-OllamaModel -Available -Offline -Task coding", "Installed" },
        new object[] { "ElixiModels.Models.OllamaStatus", "Get-OllamaModelStatus", "Server" },
        new object[] { "ElixiModels.Session.CacheStatistics", "Get-OllamaCache", "Kinds" },
        new object[] { "ElixiModels.Models.ModelSwitchResult", "Switch-OllamaModel phi3:mini", "CurrentModel" },
        new object[] { "ElixiModels.Models.BenchmarkResult", "Measure-OllamaModel gemma3:1b -Count 1 -Warmup 0 -MaxTokens 8", "gemma3:1b" },
        new object[] { "ElixiModels.Models.ModelSelection", "Select-OllamaModel general", "Score" },
        new object[] { "ElixiModels.Models.ModelStopResult", "Switch-OllamaModel phi3:mini | Out-Null; Stop-OllamaModel phi3:mini -PassThru", "Freed" },
    };

    private static Dictionary<string, HashSet<string>> Views()
    {
        XDocument doc = XDocument.Load(Repo.Path2("module", "ElixiModels.Format.ps1xml"));
        var views = new Dictionary<string, HashSet<string>>(StringComparer.Ordinal);
        foreach (XElement view in doc.Descendants("View"))
        {
            string kind = view.Element("TableControl") is not null ? "Table" : view.Element("ListControl") is not null ? "List" : "Other";
            foreach (string type in view.Descendants("TypeName").Select(t => t.Value.Trim()))
            {
                if (!views.TryGetValue(type, out HashSet<string>? kinds))
                {
                    views[type] = kinds = new HashSet<string>();
                }

                kinds.Add(kind);
            }
        }

        return views;
    }

    [Fact]
    public void Every_output_type_of_every_exported_cmdlet_has_a_table_and_a_list_view()
    {
        PsResult r = _sim.Ps.Invoke("Get-Command -Module ElixiModels | ForEach-Object { $_.OutputType } | ForEach-Object { $_.Name }");
        r.AssertNoErrors();
        string[] types = r.Output.Select(o => o.ToString()!).Distinct().ToArray();
        Assert.True(types.Length >= Outputs().Count(), "fewer output types than expected: " + string.Join(", ", types));
        Dictionary<string, HashSet<string>> views = Views();
        foreach (string type in types)
        {
            Assert.True(views.TryGetValue(type, out HashSet<string>? kinds), $"{type} has no view");
            Assert.True(kinds!.Contains("Table"), $"{type} has no table view");
            Assert.True(kinds.Contains("List"), $"{type} has no list view");
        }

        Assert.Equal(Outputs().Select(o => (string)o[0]).OrderBy(t => t), types.OrderBy(t => t));
    }

    [Theory]
    [MemberData(nameof(Outputs))]
    public void Renders_through_Out_Default_with_its_view(string type, string command, string shown)
    {
        PsResult produced = _sim.Ps.Invoke(command);
        produced.AssertNoErrors();
        Assert.Contains(produced.Output, o => o.TypeNames[0] == type);

        int before = _sim.Ps.Host.Lines.Count;
        PsResult r = _sim.Ps.Invoke(command + " | Out-Default");
        r.AssertNoErrors();
        string text = string.Join("\n", _sim.Ps.Host.Lines.Skip(before));
        Assert.Contains(shown, text);
        Assert.DoesNotContain(type, text);
        Assert.DoesNotContain("ElixiModels.", text);
    }

    [Theory]
    [MemberData(nameof(Outputs))]
    public void ToString_is_readable(string type, string command, string shown)
    {
        _ = shown;
        PsResult r = _sim.Ps.Invoke(command + " | ForEach-Object { $_.ToString() }");
        r.AssertNoErrors();
        Assert.NotEmpty(r.Output);
        Assert.All(r.Output, o =>
        {
            string text = o.ToString()!;
            Assert.False(string.IsNullOrWhiteSpace(text), $"{type}.ToString() is empty");
            Assert.DoesNotContain("ElixiModels.", text);
        });
    }
}
