using System;
using System.Management.Automation;

namespace ElixiModels.Arguments;

/// <summary>Lets a TimeSpan parameter take a number as seconds (PowerShell would read 3600 as 3600 ticks).</summary>
internal sealed class SecondsTransformationAttribute : ArgumentTransformationAttribute
{
    public override object? Transform(EngineIntrinsics engineIntrinsics, object? inputData)
    {
        object? value = inputData is PSObject pso ? pso.BaseObject : inputData;
        return value switch
        {
            int or long or short or byte or double or float or decimal => TimeSpan.FromSeconds(Convert.ToDouble(value, System.Globalization.CultureInfo.InvariantCulture)),
            _ => inputData,
        };
    }
}
