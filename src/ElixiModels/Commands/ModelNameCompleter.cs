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

namespace ElixiModels.Commands;

/// <summary>Completes -Name with installed model names: case-insensitive prefix, quoted when needed, cached.</summary>
internal class ModelNameCompleter : IArgumentCompleter
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(300);
    private static readonly TimeSpan NamesTtl = TimeSpan.FromSeconds(30);

    public IEnumerable<CompletionResult> CompleteArgument(string commandName, string parameterName, string wordToComplete,
        CommandAst commandAst, IDictionary fakeBoundParameters)
    {
        string prefix = (wordToComplete ?? string.Empty).Trim('\'', '"');
        // Get-OllamaModel -Available lists downloadable models: complete with the catalog's names too.
        IEnumerable<string> catalog = fakeBoundParameters.Contains("Available") ? Catalog.ModelCatalog.Default.Names : Array.Empty<string>();
        return Complete(prefix, InstalledNames(fakeBoundParameters).Concat(ExtraNames()).Concat(catalog));
    }

    /// <summary>Catalog names too, for Install-OllamaModel (overridden there).</summary>
    protected virtual IEnumerable<string> ExtraNames() => Array.Empty<string>();

    internal static IEnumerable<CompletionResult> Complete(string prefix, IEnumerable<string> names) => names
        .Where(n => n.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
        .Distinct(StringComparer.OrdinalIgnoreCase)
        .OrderBy(n => n, StringComparer.OrdinalIgnoreCase)
        .Select(n => new CompletionResult(Quote(n), n, CompletionResultType.ParameterValue, n));

    internal static string Quote(string value) =>
        value.IndexOfAny(new[] { ' ', '\'', '"', '$', '`', '(', ')', '{', '}', ';', ',', '@', '#', '&', '|' }) >= 0
            ? "'" + value.Replace("'", "''") + "'"
            : value;

    private static IEnumerable<string> InstalledNames(IDictionary bound)
    {
        Uri endpoint;
        try
        {
            endpoint = bound["Uri"] switch
            {
                string s => OllamaEndpoint.Parse(s),
                object[] { Length: > 0 } a => OllamaEndpoint.Parse(a[0]?.ToString()),
                _ => OllamaEndpoint.FromEnvironment(),
            };
        }
        catch (FormatException)
        {
            return Array.Empty<string>();
        }

        var session = OllamaCmdlet.CurrentSessionForCompletion();
        string key = "completion-names:" + OllamaEndpoint.Display(endpoint);
        if (session.Cache.TryGet(key, out string[] cached))
        {
            return cached;
        }

        var client = new OllamaClient(endpoint, new OllamaClientOptions { Timeout = Budget, RetryCount = 0 });
        using var cts = new CancellationTokenSource(Budget);
        Task<IReadOnlyList<WireModel>> list = client.ListInstalledAsync(cts.Token);
        // Completion must never hang the prompt: give up after the budget when the server is slow or down.
        bool done;
        try
        {
            done = list.Wait(Budget);
        }
        catch (AggregateException)
        {
            done = false; // the server is down: Wait rethrows the failure
        }

        if (!done || list.Status != TaskStatus.RanToCompletion)
        {
            list.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
            return Array.Empty<string>();
        }

        string[] names = list.GetAwaiter().GetResult().Select(m => ModelName.Normalize(m.Name)).ToArray();
        return session.Cache.Set(key, names, NamesTtl);
    }
}
