#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Get-OllamaCache' {
    BeforeEach {
        Clear-OllamaCache
    }

    It 'counts details entries, hits and misses' {
        $count = @(Get-OllamaModel -Detailed).Count
        Get-OllamaModel -Detailed | Out-Null
        $cache = Get-OllamaCache
        $cache.GetType().FullName | Should -Be 'ElixiModels.Session.CacheStatistics'
        $cache.Entries | Should -BeGreaterOrEqual $count
        $cache.Kinds['details'] | Should -Be $count
        $cache.HitRate | Should -BeGreaterThan 0
        $cache.TimeToLive | Should -Be ([timespan]::FromHours(24))
    }
}
