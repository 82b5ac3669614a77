#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

# The README pipelines end to end against the simulator. Each is also covered by an engine-hosted xUnit test:
# AvailableInstallPipelineTests, FullPipelineTests, OutdatedModelTests and MultiHostTests.

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-ElixiModelsBuild
    Import-Module (Join-Path (Get-RepoRoot) 'ElixiModels.psd1') -Force
    $script:Sim = Start-OllamaSimulator
    $script:Second = Start-OllamaSimulator
    $PSDefaultParameterValues['*-Ollama*:Uri'] = $script:Sim.Uri
    $PSDefaultParameterValues['Get-OllamaModel:RegistryUri'] = $script:Sim.Uri
}

AfterAll {
    $PSDefaultParameterValues.Remove('*-Ollama*:Uri')
    $PSDefaultParameterValues.Remove('Get-OllamaModel:RegistryUri')
    Stop-OllamaSimulator $script:Sim
    Stop-OllamaSimulator $script:Second
}

Describe 'README pipelines' {
    BeforeEach {
        Invoke-Simulator $script:Sim reset -Method Post | Out-Null
        Invoke-Simulator $script:Second reset -Method Post | Out-Null
        Clear-OllamaCache
    }

    It 'installs available coding models and switches to them' {
        $switched = @(Get-OllamaModel -Available -Task coding | Where-Object Source -EQ 'Registry' |
            Install-OllamaModel -WarningAction SilentlyContinue | Switch-OllamaModel)
        $switched.Count | Should -BeGreaterThan 0
        $switched | ForEach-Object { $_.GetType().FullName | Should -Be 'ElixiModels.Models.ModelSwitchResult' }
        $last = $switched[-1].CurrentModel
        (Get-OllamaModel -Name $last).TaskTypes | Should -Contain 'coding'
        @(Get-OllamaModel -Loaded).Name | Should -Be @($last)
    }

    It 'measures, selects the fastest model and switches to it' {
        Switch-OllamaModel llama3.2:3b | Out-Null
        $chosen = $null
        $switched = Get-OllamaModel | Measure-OllamaModel -Count 3 -MaxTokens 6 |
            Select-OllamaModel -Task fast -OutVariable chosen | Switch-OllamaModel
        $chosen.Name | Should -Be 'gemma3:1b'
        $chosen.SpeedMeasured | Should -BeTrue
        $switched.CurrentModel | Should -Be 'gemma3:1b'
        $switched.PreviousModel | Should -Be 'llama3.2:3b'
        $switched.Status | Should -Be 'Switched'
        # Measure leaves what it measured loaded (unless -Unload); the switch unloads only the previous model.
        $loaded = @(Get-OllamaModel -Loaded).Name
        $loaded | Should -Contain 'gemma3:1b'
        $loaded | Should -Not -Contain 'llama3.2:3b'
    }

    It 'updates outdated models with Install-OllamaModel -Force' {
        $digest = 'd' * 64
        Invoke-Simulator $script:Sim remote-digest -Method Post -Body @{ name = 'phi3:mini'; digest = $digest } | Out-Null
        $updated = Get-OllamaModel -Outdated | Install-OllamaModel -Force
        $updated.Name | Should -Be 'phi3:mini'
        $updated.Digest | Should -Be $digest
        Get-OllamaModel -Outdated | Should -BeNullOrEmpty
    }
}

Describe 'Fleet pipelines (two servers)' {
    BeforeEach {
        Invoke-Simulator $script:Sim reset -Method Post | Out-Null
        Invoke-Simulator $script:Second reset -Method Post | Out-Null
        $script:Fleet = @($script:Sim.Uri, $script:Second.Uri)
    }

    It 'lists every server and tags each model with its Host' {
        $models = Get-OllamaModel -Uri $script:Fleet
        ($models.Host | Sort-Object -Unique) | Should -Be ($script:Fleet | Sort-Object)
    }

    It 'reports one status per server' {
        $status = Get-OllamaModelStatus -Uri $script:Fleet
        $status.Host | Should -Be $script:Fleet
        $status.IsReachable | Should -Be @($true, $true)
    }

    It 'selects the best model across the fleet' {
        $ranked = @(Select-OllamaModel -Task general -All -Uri $script:Fleet)
        $ranked[0].Rank | Should -Be 1
        ($ranked.Host | Sort-Object -Unique) | Should -Be ($script:Fleet | Sort-Object)
    }

    It 'switches a piped model on the server it came from' {
        $result = Get-OllamaModel -Uri $script:Fleet | Where-Object { $_.Host -eq $script:Second.Uri -and $_.Name -eq 'phi3:mini' } | Switch-OllamaModel
        $result.Host | Should -Be $script:Second.Uri
        @(Get-OllamaModel -Loaded -Uri $script:Second.Uri).Name | Should -Be @('phi3:mini')
        Get-OllamaModel -Loaded -Uri $script:Sim.Uri | Should -BeNullOrEmpty
    }

    It 'removes a piped model from the server it came from only' {
        Get-OllamaModel -Uri $script:Fleet | Where-Object { $_.Host -eq $script:Second.Uri -and $_.Name -eq 'gemma3:1b' } | Remove-OllamaModel -Confirm:$false
        { Get-OllamaModel gemma3:1b -Uri $script:Second.Uri -ErrorAction Stop } | Should -Throw -ErrorId 'ModelNotFound*'
        (Get-OllamaModel gemma3:1b -Uri $script:Sim.Uri).Name | Should -Be 'gemma3:1b'
    }

    It 'measures piped models each on its own server' {
        $results = Get-OllamaModel -Uri $script:Fleet | Where-Object Name -EQ 'gemma3:1b' | Measure-OllamaModel -Count 1 -Warmup 0 -MaxTokens 8
        $results.Host | Should -Be $script:Fleet
    }
}
