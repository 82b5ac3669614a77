using System;
using System.Collections;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Cmdlets;

namespace ElixiModels.Arguments;

/// <summary>Completes -Name with installed model names: case-insensitive prefix, quoted when needed, cached.</summary>
internal class ModelNameCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan FetchLimit = TimeSpan.FromSeconds(5);
    private static readonly char[] CharsToQuote = { ' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '@', '#', '&', '|' };

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        object? uri = fakeBoundParameters.Contains("Uri") ? fakeBoundParameters["Uri"] : DefaultUri(commandName);
        // Get-OllamaModel -Available lists downloadable models: complete with the catalog's names too.
        IEnumerable<string> catalog = fakeBoundParameters.Contains("Available") ? Catalog.ModelCatalog.Default.Names : Array.Empty<string>();
        return Complete(prefix, InstalledNames(uri).Concat(ExtraNames()).Concat(catalog));
    }

    /// <summary>Catalog names too, for Install-OllamaModel (overridden there).</summary>
    protected virtual IEnumerable<string> ExtraNames() => Array.Empty<string>();

    internal static IEnumerable<CompletionResult> Complete(string prefix, IEnumerable<string> names) => names
        .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
        .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n));

    internal static string Quote(string value) =>
        value.IndexOfAny(CharsToQuote) >= 0
            ? "'" + value.Replace("'", "''") + "'"
            : value;

    /// <summary>
    /// -Uri from $PSDefaultParameterValues (e.g. '*-Ollama*:Uri'), which the user's profile may set: the server the
    /// command would use. Read with a script block on the completing thread, not a nested pipeline, which PSReadLine's
    /// completion (the runspace busy with the prompt) refuses.
    /// </summary>
    internal static object? DefaultUri(string commandName)
    {
        try
        {
            // The global one too: PSReadLine completes from inside its own module, where the current scope may not
            // reach the profile's defaults.
            foreach (PSObject result in ScriptBlock.Create("$PSDefaultParameterValues; $global:PSDefaultParameterValues").Invoke())
            {
                if (result?.BaseObject is not IDictionary defaults || (defaults.Contains("Disabled") && LanguagePrimitives.IsTrue(defaults["Disabled"])))
                {
                    continue;
                }

                foreach (DictionaryEntry entry in defaults)
                {
                    if (DefaultParameterValues.Applies(entry.Key, commandName, "Uri"))
                    {
                        return entry.Value is ScriptBlock ? null : entry.Value;
                    }
                }
            }
        }
        catch (Exception ex) when (ex is PSInvalidOperationException or InvalidOperationException or RuntimeException or NullReferenceException)
        {
            // No runspace to ask (completion from an API host); fall back to OLLAMA_HOST.
        }

        return null;
    }

    private static string[] InstalledNames(object? uri)
    {
        Uri endpoint;
        try
        {
            endpoint = uri switch
            {
                PSObject p => OllamaEndpoint.Parse(p.BaseObject?.ToString()),
                string s => OllamaEndpoint.Parse(s),
                object[] { Length: > 0 } a => OllamaEndpoint.Parse(a[0]?.ToString()),
                Uri u => OllamaEndpoint.Parse(u.ToString()),
                _ => OllamaEndpoint.FromEnvironment(),
            };
        }
        catch (FormatException)
        {
            return Array.Empty<string>();
        }

        var session = ElixiCmdlet.CurrentSessionForCompletion();
        string host = OllamaEndpoint.Display(endpoint);
        if (session.GetInstalledNames(host) is { } cached)
        {
            return cached;
        }

        var client = new OllamaClient(endpoint, new OllamaClientOptions { Timeout = FetchLimit, RetryCount = 0 });
        Task<string[]> fetch = FetchAsync(client, session, host);
        // Completion must never hang the prompt: give up after the budget when the server is slow or down. A fetch
        // that is merely slow still fills the cache, so the next Tab has the names.
        return fetch.Wait(Budget) && fetch.Status == TaskStatus.RanToCompletion ? fetch.GetAwaiter().GetResult() : Array.Empty<string>();
    }

    private static async Task<string[]> FetchAsync(OllamaClient client, Session.SessionContext session, string host)
    {
        try
        {
            using var cts = new CancellationTokenSource(FetchLimit);
            IReadOnlyList<WireModel> models = await client.ListInstalledAsync(cts.Token).ConfigureAwait(false);
            string[] names = models.Select(m => ModelName.Normalize(m.Name)).ToArray();
            session.SetInstalledNames(host, names);
            return names;
        }
        catch (Exception ex) when (ex is OllamaException or OperationCanceledException)
        {
            return Array.Empty<string>();
        }
    }
}
