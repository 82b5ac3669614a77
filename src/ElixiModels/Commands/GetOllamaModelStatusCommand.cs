using System.Management.Automation;
using ElixiModels.Models;
using ElixiModels.Resources;
using ElixiModels.Status;
using ElixiModels.Cmdlets;
using ElixiModels.Presenters;

namespace ElixiModels.Commands;

/// <summary>
/// Shows the session's active model (status, capabilities, latest benchmark), every loaded model, the server's
/// version, this machine's CPU, memory and GPUs, and the session cache. A server that is down still yields a status
/// (ServerUnreachable, with host resources) and a warning.
/// </summary>
[Cmdlet(VerbsCommon.Get, "OllamaModelStatus", HelpUri = "https://github.com/elixi-models/ElixiModels/blob/main/src/ElixiModels.Help/Get-OllamaModelStatus.md")]
[OutputType(typeof(OllamaStatus))]
public sealed class GetOllamaModelStatusCommand : OllamaCmdlet
{
    protected override void EndProcessing()
    {
        var reader = new StatusReader(Session, HostResourceProbe.Shared);
        RunPerHost(async (bridge, client, ct) =>
        {
            OllamaStatus status = await reader.ReadAsync(client, new BridgeReporter(bridge), ct).ConfigureAwait(false);
            if (status.StatusReason is { } reason)
            {
                bridge.WriteWarning($"The active model on {client.Host} is not loaded: {reason} Switch-OllamaModel {status.ActiveModel} loads it again.");
            }

            bridge.WriteObject(status);
        });
    }
}
