using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ElixiModels.Cmdlets;

namespace ElixiModels.Arguments;

/// <summary>Completes Clear-OllamaCache -Kind with the kinds the session cache holds now, plus the usual ones.</summary>
internal sealed class CacheKindCompleter : IArgumentCompleter
{
    private static readonly string[] Usual = { "details", "registry", "benchmark" };

    /// <summary>Every kind of entry the module stores (the part of a cache key before ':').</summary>
    internal static readonly string[] Known = { "details", "registry", "registry-offline", "benchmark", "installed-names" };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ModelNameCompleter.Complete((wordToComplete ?? string.Empty).Trim('\'', '"'),
            Usual.Concat(ElixiCmdlet.CurrentSessionForCompletion().Cache.GetStatistics().Kinds.Keys));
}
