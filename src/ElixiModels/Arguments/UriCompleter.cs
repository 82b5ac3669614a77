using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using ElixiModels.Ollama;
using ElixiModels.Cmdlets;

namespace ElixiModels.Arguments;

/// <summary>
/// Completes -Uri with the servers a user is likely to mean: the $PSDefaultParameterValues server, $env:OLLAMA_HOST
/// (or the default http://127.0.0.1:11434), and every server cmdlets talked to in this session.
/// </summary>
internal sealed class UriCompleter : IArgumentCompleter
{
    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        var servers = new List<string>();
        void Add(string? text)
        {
            if (string.IsNullOrWhiteSpace(text))
            {
                return;
            }

            try
            {
                servers.Add(OllamaEndpoint.Display(OllamaEndpoint.Parse(text)));
            }
            catch (FormatException)
            {
                // Not a server address: nothing to offer.
            }
        }

        object? configured = ModelNameCompleter.DefaultUri(commandName);
        foreach (object? value in configured is IEnumerable many and not string ? many.Cast<object?>() : new[] { configured })
        {
            Add((value is PSObject p ? p.BaseObject : value)?.ToString());
        }

        try
        {
            servers.Add(OllamaEndpoint.Display(OllamaEndpoint.FromEnvironment()));
        }
        catch (FormatException)
        {
            // A broken OLLAMA_HOST is reported when a cmdlet runs; completion offers the rest.
        }

        servers.AddRange(ElixiCmdlet.CurrentSessionForCompletion().Servers);
        // Match what was typed with or without the scheme: "127.0.0.1:1" completes http://127.0.0.1:11434.
        return servers.Distinct(StringComparer.OrdinalIgnoreCase)
            .Where(s => s.StartsWith(prefix, StringComparison.OrdinalIgnoreCase)
                || s.Substring(s.IndexOf("://", StringComparison.Ordinal) + 3).StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            .Select(s => new CompletionResult(s, s, CompletionResultType.ParameterValue, s));
    }
}
