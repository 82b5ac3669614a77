using System.Management.Automation;
using ElixiModels.Session;
using ElixiModels.Cmdlets;

namespace ElixiModels.Commands;

/// <summary>
/// Shows this session's cache: entries (per kind: details, registry, benchmark…), hits, misses, hit rate and the
/// time to live of new entries. The cache belongs to the PowerShell session, not to a server; -Uri is not used.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OllamaCache", HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Get-OllamaCache.md")]
[OutputType(typeof(CacheStatistics))]
public sealed class GetOllamaCacheCommand : ElixiCmdlet
{
    protected override void EndProcessing() => WriteObject(Session.Cache.GetStatistics());
}
