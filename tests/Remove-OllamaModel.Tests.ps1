#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Remove-OllamaModel' {
    It 'is ConfirmImpact High' {
        (Get-Command Remove-OllamaModel).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'High'
    }

    It 'changes nothing with -WhatIf' {
        $count = @(Get-OllamaModel).Count
        Invoke-Simulator $script:Sim reset -Method Post | Out-Null
        Get-OllamaModel | Remove-OllamaModel -WhatIf
        @(Get-OllamaModel).Count | Should -Be $count
        Get-SimulatorLog $script:Sim -Path '/api/delete' | Should -BeNullOrEmpty
    }

    It 'deletes piped models' {
        $removed = Get-OllamaModel -Name 'gemma3*' | Remove-OllamaModel -Confirm:$false -PassThru
        $removed.Name | Should -Be 'gemma3:1b'
        Get-OllamaModel -Name 'gemma3:1b' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'refuses the active model unless -Force' {
        Switch-OllamaModel phi3:mini | Out-Null
        $err = $null
        Remove-OllamaModel phi3:mini -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -Be 'ActiveModelNotRemoved,ElixiModels.Commands.RemoveOllamaModelCommand'
        (Get-OllamaModel -Name phi3:mini).Name | Should -Be 'phi3:mini'

        Remove-OllamaModel phi3:mini -Force -Confirm:$false
        Get-OllamaModel -Name 'phi3:mini' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-OllamaModel -Loaded | Should -BeNullOrEmpty
    }

    It 'reports an unknown model with suggestions' {
        $err = $null
        Remove-OllamaModel 'lava:7b' -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelNotFound,*'
        $err[0].Exception.Message | Should -Match 'Did you mean: llava:7b'
        (Get-OllamaModel -Name llava).Name | Should -Be 'llava:7b'
    }

    It 'refuses a bare name that names several tags, deleting none' {
        Invoke-RestMethod -Uri "$($script:Sim.Uri)/api/copy" -Method Post -ContentType 'application/json' -Body '{"source":"llava:7b","destination":"llava:copy"}' | Out-Null
        $err = $null
        Remove-OllamaModel 'llava' -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'AmbiguousModelName,*'
        $err[0].Exception.Message | Should -Match 'llava:7b, llava:copy|llava:copy, llava:7b'
        @(Get-OllamaModel -Name 'llava:*').Count | Should -Be 2
        Remove-OllamaModel 'llava:copy' -Confirm:$false
    }

    It 'rejects a path-like name before asking the server' {
        $err = $null
        $before = @(Get-SimulatorLog $script:Sim).Count
        Remove-OllamaModel '../x' -Confirm:$false -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidModelName,*'
        @(Get-SimulatorLog $script:Sim).Count | Should -Be $before
    }
}
