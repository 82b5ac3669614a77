#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Get-OllamaModelStatus' {
    It 'has no active model while nothing is loaded' {
        $status = Get-OllamaModelStatus
        $status.GetType().FullName | Should -Be 'ElixiModels.Models.OllamaStatus'
        $status.ActiveModel | Should -BeNullOrEmpty
        $status.Status.ToString() | Should -Be 'NotLoaded'
        $status.ServerVersion | Should -Be ($env:OLLAMA_SIMULATOR_VERSION ?? '0.32.15')
        $status.HostResources.TotalMemoryBytes | Should -BeGreaterThan 0
        $status.Cache | Should -Not -BeNullOrEmpty
    }

    It 'takes the loaded model used most recently as active before any switch' {
        foreach ($model in 'llama3.2:3b', 'phi3:mini') {
            Invoke-RestMethod -Uri "$($script:Sim.Uri)/api/generate" -Method Post -Body (@{ model = $model } | ConvertTo-Json) -ContentType 'application/json' | Out-Null
            Start-Sleep -Milliseconds 50
        }
        $status = Get-OllamaModelStatus
        $status.ActiveModel | Should -Be 'phi3:mini'
        $status.Status.ToString() | Should -Be 'Loaded'
        $status.ActiveModelSource | Should -Be 'MostRecentlyUsed'
        $status.Capabilities | Should -Contain 'completion'
        @($status.LoadedModels).Count | Should -Be 2
        $status.LoadedModels | ForEach-Object { $_.Processor | Should -Match 'CPU|GPU' }
    }

    It 'reports an unreachable server with host resources and a warning' {
        $warnings = $null
        $status = Get-OllamaModelStatus -Uri (Get-DeadUri) -WarningVariable warnings -WarningAction SilentlyContinue
        $status.Status.ToString() | Should -Be 'ServerUnreachable'
        $status.IsReachable | Should -BeFalse
        $status.HostResources.AvailableMemoryBytes | Should -BeGreaterThan 0
        $warnings.Count | Should -Be 1
    }
}
