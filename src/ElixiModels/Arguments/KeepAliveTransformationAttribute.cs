using System;
using System.Management.Automation;
using ElixiModels.Ollama;

namespace ElixiModels.Arguments;

/// <summary>Lets -KeepAlive take '10m', '1h30m', '30s', '-1', 'Forever', a TimeSpan or seconds.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field)]
internal sealed class KeepAliveTransformationAttribute : ArgumentTransformationAttribute
{
    public override object Transform(EngineIntrinsics engineIntrinsics, object inputData)
    {
        object? value = inputData is PSObject wrapped ? wrapped.BaseObject : inputData;
        if (KeepAliveParser.TryParse(value, out KeepAlive keepAlive, out string? problem))
        {
            return keepAlive;
        }

        throw new ArgumentTransformationMetadataException(problem);
    }
}
