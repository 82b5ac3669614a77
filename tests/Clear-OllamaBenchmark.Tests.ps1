#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
    $script:SavedHistoryPath = $env:ELIXI_HISTORY_PATH
    function Fresh([string] $Command) { Invoke-FreshElixi $script:Sim $Command }
}

AfterAll {
    $env:ELIXI_HISTORY_PATH = $script:SavedHistoryPath
    Remove-Item Env:ELIXI_NO_HISTORY -ErrorAction SilentlyContinue
    Exit-ElixiTest $script:Sim
}

Describe 'Clear-OllamaBenchmark' {
    BeforeEach { $script:File = Enter-HistoryTest }
    AfterEach { Exit-HistoryTest }

    It 'survives Clear-OllamaCache; Clear-OllamaBenchmark deletes it, after -WhatIf changed nothing' {
        Fresh "Measure-OllamaModel gemma3:1b, phi3:mini -Count 1 -MaxTokens 4 | Out-Null"
        Clear-OllamaCache -Confirm:$false
        @(Get-OllamaBenchmark).Count | Should -Be 2
        Clear-OllamaBenchmark -WhatIf
        @(Get-OllamaBenchmark).Count | Should -Be 2
        (Clear-OllamaBenchmark gemma3:1b -Confirm:$false -PassThru).Name | Should -Be 'gemma3:1b'
        (Get-OllamaBenchmark).Name | Should -Be 'phi3:mini'
        Clear-OllamaBenchmark -Confirm:$false
        Get-OllamaBenchmark | Should -BeNullOrEmpty
        Fresh "@(Get-OllamaBenchmark).Count" | Should -Be 0
    }

    It 'deletes by -Before and keeps the newer results' {
        Measure-OllamaModel gemma3:1b -Count 1 -MaxTokens 4 | Out-Null
        $cut = Get-Date
        Measure-OllamaModel phi3:mini -Count 1 -MaxTokens 4 | Out-Null
        (Clear-OllamaBenchmark -Before $cut -Confirm:$false -PassThru).Name | Should -Be 'gemma3:1b'
        (Get-OllamaBenchmark).Name | Should -Be 'phi3:mini'
        @(Get-Content $script:File).Count | Should -Be 1
    }

    It 'is ConfirmImpact High' {
        (Get-Command Clear-OllamaBenchmark).ImplementingType.GetCustomAttributes([System.Management.Automation.CmdletAttribute], $false)[0].ConfirmImpact |
            Should -Be 'High'
    }
}
