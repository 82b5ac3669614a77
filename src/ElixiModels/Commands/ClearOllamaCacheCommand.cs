using System;
using System.Linq;
using System.Management.Automation;
using ElixiModels.Session;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;

namespace ElixiModels.Commands;

/// <summary>
/// Empties this session's cache (model details, registry answers, benchmark results), or only the entries of the
/// given -Kind. The next Get-OllamaModel -Detailed reads /api/show again. Hit and miss counters keep counting.
/// </summary>
[Cmdlet(VerbsCommon.Clear, "OllamaCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Clear-OllamaCache.md")]
[OutputType(typeof(CacheStatistics))]
public sealed class ClearOllamaCacheCommand : ElixiCmdlet
{
    /// <summary>Only entries of these kinds: details, registry, benchmark (see Get-OllamaCache's Kinds).</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CacheKindCompleter))]
    public string[]? Kind { get; set; }

    /// <summary>Output the cache statistics afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        SessionCache cache = Session.Cache;
        string target = Kind is null ? "the ElixiModels session cache" : "the " + string.Join(", ", Kind) + " entries of the session cache";
        if (ShouldProcess(target, "Clear"))
        {
            if (Kind is null)
            {
                cache.Clear();
            }
            else
            {
                foreach (string kind in Kind)
                {
                    if (!CacheKindCompleter.Known.Contains(kind, StringComparer.OrdinalIgnoreCase) && !cache.GetStatistics().Kinds.ContainsKey(kind))
                    {
                        WriteError(OllamaErrors.Build(new ArgumentException($"'{kind}' is not a kind of session cache entry; the kinds are {string.Join(", ", CacheKindCompleter.Known)}."),
                            "UnknownCacheKind", ErrorCategory.InvalidArgument, kind, "Pass one of those kinds; Get-OllamaCache lists the kinds held now."));
                        continue;
                    }

                    WriteVerbose($"Removed {cache.Clear(kind)} '{kind}' entries.");
                }
            }
        }

        if (PassThru)
        {
            WriteObject(cache.GetStatistics());
        }
    }
}
