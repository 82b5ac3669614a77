using System;
using System.Management.Automation;
using ElixiModels.Resources;

namespace ElixiModels.Cmdlets;

/// <summary>Runs when the module is imported: takes the first CPU sample, so the first status already has a CPU %.</summary>
public sealed class ModuleInitializer : IModuleAssemblyInitializer
{
    public void OnImport()
    {
        try
        {
            _ = HostResourceProbe.Shared;
        }
        catch (Exception)
        {
            // Resource probing is optional; Get-OllamaModelStatus reports the failure when it reads them.
        }
    }
}
