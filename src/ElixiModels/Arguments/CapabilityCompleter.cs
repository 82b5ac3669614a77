using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using System.Management.Automation.Language;

namespace ElixiModels.Arguments;

/// <summary>Completes -Capability with the capabilities Ollama reports.</summary>
internal sealed class CapabilityCompleter : IArgumentCompleter
{
    internal static readonly string[] Known = { "completion", "tools", "insert", "vision", "embedding", "thinking" };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters) =>
        ModelNameCompleter.Complete((wordToComplete ?? string.Empty).Trim('\'', '"'), Known);
}
