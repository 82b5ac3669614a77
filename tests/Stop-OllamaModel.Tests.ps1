#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest

    function Load([string] $Model, $Sim = $script:Sim) {
        Invoke-RestMethod -Uri "$($Sim.Uri)/api/generate" -Method Post -Body (@{ model = $Model } | ConvertTo-Json) -ContentType 'application/json' | Out-Null
    }
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Stop-OllamaModel' {
    BeforeEach {
        Stop-OllamaModel -All
    }

    It 'unloads a model by name, outputs nothing, and /api/ps no longer lists it' {
        Load 'llama3.2:3b'; Load 'phi3:mini'
        $out = Stop-OllamaModel llama3.2:3b
        $out | Should -BeNullOrEmpty
        @(Get-OllamaModel -Loaded).Name | Should -Be @('phi3:mini')
        $unload = Get-SimulatorLog $script:Sim -Path '/api/generate' | Select-Object -Last 1
        $unload.model | Should -Be 'llama3.2:3b'
    }

    It 'with -PassThru outputs what was freed, as numbers' {
        Load 'phi3:mini'
        $loaded = Get-OllamaModel -Loaded
        $r = Stop-OllamaModel phi3:mini -PassThru
        $r.GetType().FullName | Should -Be 'ElixiModels.Models.ModelStopResult'
        $r.Name | Should -Be 'phi3:mini'
        $r.Host | Should -Be $loaded.Host
        $r.FreedBytes | Should -Be $loaded.SizeBytes
        $r.FreedBytes | Should -BeOfType [long]
        $r.StopTime | Should -BeOfType [TimeSpan]
        ($r | Format-Table | Out-String) | Should -Match 'phi3:mini\s+\d'
    }

    It 'takes loaded models from the pipeline, wildcards and -All' {
        Load 'llama3.2:3b'; Load 'phi3:mini'; Load 'gemma3:1b'
        Get-OllamaModel -Loaded -Name 'gemma3*' | Stop-OllamaModel
        @(Get-OllamaModel -Loaded).Count | Should -Be 2
        Stop-OllamaModel 'l*'
        @(Get-OllamaModel -Loaded).Name | Should -Be @('phi3:mini')
        Stop-OllamaModel -All -PassThru | ForEach-Object Name | Should -Be 'phi3:mini'
        Get-OllamaModel -Loaded | Should -BeNullOrEmpty
    }

    It 'changes nothing with -WhatIf' {
        Load 'phi3:mini'
        Stop-OllamaModel -All -WhatIf
        (Get-OllamaModel -Loaded).Name | Should -Be 'phi3:mini'
    }

    It 'means :latest for a name without a tag, as ollama stop does' {
        $err = $null
        Stop-OllamaModel phi3 -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelNotFound,*'
    }

    It 'says a model that is installed but not loaded is nothing to do, and an unknown one is an error' {
        $verbose = Stop-OllamaModel llava:7b -Verbose 4>&1
        "$verbose" | Should -Match 'not loaded'
        $err = $null
        Stop-OllamaModel 'phi3:mni' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ModelNotFound,ElixiModels.Commands.StopOllamaModelCommand'
        $err[0].Exception.Message | Should -Match 'Did you mean: phi3:mini'
    }

    It 'leaves the session without an active model when the active one is stopped' {
        Switch-OllamaModel phi3:mini | Out-Null
        (Get-OllamaModelStatus).Status.ToString() | Should -Be 'Active'
        $r = Stop-OllamaModel phi3:mini -PassThru
        $r.WasActive | Should -BeTrue
        $status = Get-OllamaModelStatus
        $status.Status.ToString() | Should -Be 'NotLoaded'
        $status.ActiveModel | Should -BeNullOrEmpty
    }

    It 'stops each piped model on the server it came from' {
        $other = Start-OllamaSimulator
        try {
            Load 'phi3:mini'; Load 'phi3:mini' $other
            Get-OllamaModel -Loaded -Uri $script:Sim.Uri, $other.Uri | Stop-OllamaModel
            Get-OllamaModel -Loaded -Uri $script:Sim.Uri, $other.Uri | Should -BeNullOrEmpty
            @(Get-SimulatorLog $other -Path '/api/generate').Count | Should -Be 2
        }
        finally { Stop-OllamaSimulator $other }
    }

    It 'works in a fresh pwsh process, as a scheduled task runs it' {
        Load 'phi3:mini'
        $module = Join-Path (Get-RepoRoot) 'ElixiModels.psd1'
        $out = Invoke-FreshPwsh "Import-Module '$module'; Stop-OllamaModel -All -Uri '$($script:Sim.Uri)' -PassThru | ForEach-Object Name"
        $LASTEXITCODE | Should -Be 0
        $out | Should -Be 'phi3:mini'
        Get-OllamaModel -Loaded | Should -BeNullOrEmpty
    }
}
