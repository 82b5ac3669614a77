using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using ElixiModels.Tests.Harness;
using Xunit;

namespace ElixiModels.Tests.Pipeline;

/// <summary>Every exported cmdlet has full help through Get-Help in the real engine.</summary>
public sealed class HelpTests : IDisposable
{
    private static readonly HashSet<string> Common = new(StringComparer.OrdinalIgnoreCase)
    {
        "Verbose", "Debug", "ErrorAction", "WarningAction", "InformationAction", "ProgressAction", "ErrorVariable",
        "WarningVariable", "InformationVariable", "OutVariable", "OutBuffer", "PipelineVariable", "WhatIf", "Confirm",
    };

    private readonly PsSession _ps = PsSession.Start();

    public static IEnumerable<object[]> Cmdlets() => ModuleTests.Cmdlets.Select(c => new object[] { c });

    [Theory]
    [MemberData(nameof(Cmdlets))]
    public void Has_synopsis_description_examples_and_every_parameter_described(string name)
    {
        PsResult r = _ps.Invoke("Get-Help $args[0] -Full", name);
        r.AssertNoErrors();
        PSObject help = Assert.Single(r.Output);
        string synopsis = help.Properties["Synopsis"].Value?.ToString()?.Trim() ?? string.Empty;
        Assert.False(synopsis.Length < 20 || synopsis.StartsWith(name, StringComparison.OrdinalIgnoreCase), $"{name}: synopsis is missing or generated: '{synopsis}'");

        PsResult description = _ps.Invoke("(Get-Help $args[0] -Full).description.Text -join ' '", name);
        Assert.True(description.Output.Single().ToString()!.Length > 80, $"{name}: description is too short");

        PsResult examples = _ps.Invoke("@((Get-Help $args[0] -Full).examples.example).Count", name);
        Assert.True((int)examples.Output.Single().BaseObject >= 3, $"{name}: fewer than 3 examples");

        PsResult parameters = _ps.Invoke(
            "foreach ($p in (Get-Command $args[0]).Parameters.Values | Where-Object { -not ($_.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] -and $_.DontShow }) }) { $h = Get-Help $args[0] -Parameter $p.Name -ErrorAction SilentlyContinue; '{0}={1}' -f $p.Name, (($h.description.Text -join ' ').Trim()) }", name);
        foreach (string line in parameters.Output.Select(o => o.ToString()!))
        {
            string param = line[..line.IndexOf('=')];
            if (!Common.Contains(param))
            {
                Assert.True(line.Length > param.Length + 10, $"{name} -{param} has no description");
            }
        }

        PsResult links = _ps.Invoke("@((Get-Help $args[0] -Full).relatedLinks.navigationLink).Count", name);
        Assert.True((int)links.Output.Single().BaseObject >= 1, $"{name}: no related links");
    }

    public void Dispose() => _ps.Dispose();
}
