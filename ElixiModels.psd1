@{
    RootModule             = 'module/ElixiModels.psm1'
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Core', 'Desktop')
    GUID                   = '6f0c9f2e-7d4b-4c1e-9a53-2f8e1b7c4d10'
    Author                 = 'ElixiModels contributors'
    CompanyName            = 'ElixiModels'
    Copyright              = '(c) 2026 ElixiModels contributors. MIT License.'
    Description            = 'Manage local LLMs served by Ollama from PowerShell: list installed, loaded and downloadable models, install with progress, switch the active model, benchmark honestly, pick the best model for a task, and see server and host status - all as typed objects that pipe into one another.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('module/ElixiModels.Format.ps1xml')
    TypesToProcess         = @('module/ElixiModels.Types.ps1xml')
    CmdletsToExport        = @(
        'Get-OllamaModel'
        'Install-OllamaModel'
        'Measure-OllamaModel'
        'Remove-OllamaModel'
        'Select-OllamaModel'
        'Switch-OllamaModel'
        'Get-OllamaModelStatus'
        'Get-OllamaCache'
        'Clear-OllamaCache'
        'Set-OllamaCache'
        'Stop-OllamaModel'
        'Get-OllamaBenchmark'
        'Clear-OllamaBenchmark'
    )
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('Ollama', 'LLM', 'AI', 'LocalAI', 'Models', 'Benchmark', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://github.com/elixi-models/ElixiModels/blob/main/LICENSE'
            ProjectUri   = 'https://github.com/elixi-models/ElixiModels'
            ReleaseNotes = 'Get-OllamaModel: installed and loaded models as typed objects, with an Ollama-faithful OLLAMA_HOST parser, clear errors and dependency isolation for PowerShell 7.4-7.6 and Windows PowerShell 5.1.'
        }
    }
}
