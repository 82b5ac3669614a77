#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-ElixiModelsBuild
    Import-Module (Join-Path (Get-RepoRoot) 'ElixiModels.psd1') -Force
}

AfterAll {
    Set-OllamaCache -TimeToLive ([timespan]::FromHours(24))
}

Describe 'Set-OllamaCache' {
    It 'sets the time to live of new entries' {
        (Set-OllamaCache -TimeToLive '01:30:00' -PassThru).TimeToLive | Should -Be ([timespan]::FromMinutes(90))
        (Get-OllamaCache).TimeToLive | Should -Be ([timespan]::FromMinutes(90))
    }

    It 'rejects a time to live that is not positive' {
        { Set-OllamaCache -TimeToLive '-00:00:01' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidTimeToLive*'
    }

    It 'answers Set-OllamaCache 0 in its own words' {
        $e = { Set-OllamaCache 0 -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidTimeToLive*' -PassThru
        $e.Exception.Message | Should -Match 'would keep nothing in the session cache'
        $e.Exception.Message | Should -Not -Match 'Parameter|Actual value'
        $e.ErrorDetails.RecommendedAction | Should -Match 'Clear-OllamaCache'
    }

    It 'reads a number as seconds' {
        (Set-OllamaCache 3600 -PassThru).TimeToLive | Should -Be ([timespan]::FromHours(1))
    }
}
