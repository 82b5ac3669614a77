using System;
using System.Management.Automation;
using ElixiModels.Session;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;

namespace ElixiModels.Commands;

/// <summary>Sets how long new entries of this session's cache live (default 24 hours); entries already cached keep theirs.</summary>
[Cmdlet(VerbsCommon.Set, "OllamaCache", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low, HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Set-OllamaCache.md")]
[OutputType(typeof(CacheStatistics))]
public sealed class SetOllamaCacheCommand : ElixiCmdlet
{
    /// <summary>Lifetime of new entries, e.g. '01:00:00', (New-TimeSpan -Hours 1) or a number of seconds (3600).</summary>
    [Parameter(Mandatory = true, Position = 0)]
    [SecondsTransformation]
    public TimeSpan TimeToLive { get; set; }

    /// <summary>Output the cache statistics afterwards.</summary>
    [Parameter]
    public SwitchParameter PassThru { get; set; }

    protected override void EndProcessing()
    {
        if (TimeToLive <= TimeSpan.Zero)
        {
            ThrowTerminatingError(OllamaErrors.Build(new ArgumentException($"A time to live of {TimeToLive} would keep nothing in the session cache; it must be positive."),
                "InvalidTimeToLive", ErrorCategory.InvalidArgument, TimeToLive,
                "Pass a positive duration, e.g. -TimeToLive '01:00:00'; to empty the cache use Clear-OllamaCache."));
        }

        if (TimeToLive > SessionCache.LongestTimeToLive)
        {
            ThrowTerminatingError(OllamaErrors.Build(new ArgumentOutOfRangeException(nameof(TimeToLive), TimeToLive,
                    $"The time to live must be at most {SessionCache.LongestTimeToLive.TotalDays:0} days; {TimeToLive} would make every cached entry's expiry overflow."),
                "InvalidTimeToLive", ErrorCategory.InvalidArgument, TimeToLive,
                "Pass a duration up to 365 days, e.g. -TimeToLive '7.00:00:00'."));
        }

        SessionCache cache = Session.Cache;
        if (ShouldProcess("the ElixiModels session cache", $"Set the time to live of new entries to {TimeToLive}"))
        {
            cache.DefaultTimeToLive = TimeToLive;
        }

        if (PassThru)
        {
            WriteObject(cache.GetStatistics());
        }
    }
}
