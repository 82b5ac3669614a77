#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Clear-OllamaCache' {
    It 'empties the session cache' {
        Get-OllamaModel -Name 'phi3' -Detailed | Out-Null
        (Get-OllamaCache).Entries | Should -BeGreaterThan 0
        (Clear-OllamaCache -PassThru).Entries | Should -Be 0
    }

    It 'keeps everything with -WhatIf' {
        Get-OllamaModel -Name 'phi3' -Detailed | Out-Null
        Clear-OllamaCache -WhatIf
        (Get-OllamaCache).Entries | Should -BeGreaterThan 0
    }

    It 'clears one kind only' {
        Get-OllamaModel -Name 'phi3' -Detailed | Out-Null
        Get-OllamaModel -Available -Name 'llama3.2:3b' -RegistryUri $script:Sim.Uri | Out-Null
        $after = Clear-OllamaCache -Kind registry -PassThru
        $after.Kinds.ContainsKey('registry') | Should -BeFalse
        $after.Kinds['details'] | Should -BeGreaterThan 0
    }

    It 'reports an unknown kind, naming the valid ones' {
        $err = $null
        Clear-OllamaCache -Kind bogus -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'UnknownCacheKind,*'
        $err[0].Exception.Message | Should -Match 'details, registry'
    }
}
