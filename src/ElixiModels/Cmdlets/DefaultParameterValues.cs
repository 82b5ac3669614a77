using System;
using System.Management.Automation;

namespace ElixiModels.Cmdlets;

/// <summary>The one reading of a $PSDefaultParameterValues key ('Command-Pattern:Parameter'), for cmdlets and completers.</summary>
internal static class DefaultParameterValues
{
    /// <summary>Whether the key sets <paramref name="parameterName"/> of <paramref name="commandName"/> (the command part may use wildcards).</summary>
    public static bool Applies(object? key, string commandName, string parameterName)
    {
        string text = key as string ?? key?.ToString() ?? string.Empty;
        int colon = text.LastIndexOf(':');
        return colon > 0
            && text.Substring(colon + 1).Trim().Equals(parameterName, StringComparison.OrdinalIgnoreCase)
            && WildcardPattern.Get(text.Substring(0, colon).Trim(), WildcardOptions.IgnoreCase).IsMatch(commandName);
    }
}
