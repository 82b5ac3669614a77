#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
    $script:SavedHistoryPath = $env:ELIXI_HISTORY_PATH
    $script:Module = Join-Path (Get-RepoRoot) 'ElixiModels.psd1'

    # A fresh pwsh process, as a scheduled task runs one: the module, the simulator, nothing else from this session.
    function Fresh([string] $Command) {
        Invoke-FreshPwsh "`$ErrorActionPreference = 'Stop'; Import-Module '$script:Module'; `$PSDefaultParameterValues['*-Ollama*:Uri'] = '$($script:Sim.Uri)'; $Command"
    }
}

AfterAll {
    $env:ELIXI_HISTORY_PATH = $script:SavedHistoryPath
    Remove-Item Env:ELIXI_NO_HISTORY -ErrorAction SilentlyContinue
    Exit-ElixiTest $script:Sim
}

Describe 'Clear-OllamaBenchmark' {
    BeforeEach {
        $env:ELIXI_HISTORY_PATH = Join-Path ([IO.Path]::GetTempPath()) ("elixi-history-" + [guid]::NewGuid().ToString('N'))
        $script:File = Join-Path $env:ELIXI_HISTORY_PATH 'benchmark-history.jsonl'
        Clear-OllamaBenchmark -Confirm:$false   # this session's results from earlier tests
    }

    AfterEach {
        Remove-Item $env:ELIXI_HISTORY_PATH -Recurse -Force -ErrorAction SilentlyContinue
    }

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
