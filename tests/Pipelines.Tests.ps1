#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

# The README pipelines end to end against the simulator, as users type them (the user-facing suite: xUnit keeps
# only what needs in-process control).

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
    $script:Second = Start-OllamaSimulator
    $PSDefaultParameterValues['Get-OllamaModel:RegistryUri'] = $script:Sim.Uri
}

AfterAll {
    $PSDefaultParameterValues.Remove('Get-OllamaModel:RegistryUri')
    Exit-ElixiTest $script:Sim
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
        # Server by server, in -Uri order, whichever answers first.
        ($models.Host | Select-Object -Unique) | Should -Be $script:Fleet
        $reversed = Get-OllamaModel -Uri $script:Fleet[1], $script:Fleet[0]
        ($reversed.Host | Select-Object -Unique) | Should -Be @($script:Fleet[1], $script:Fleet[0])
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

Describe 'Everyday PowerShell on the module''s objects' {
    BeforeEach {
        Invoke-Simulator $script:Sim reset -Method Post | Out-Null
    }

    It 'selects, sorts and groups properties like any objects' {
        $rows = Get-OllamaModel | Sort-Object Name | Select-Object Name, Family, Host
        $rows.Name | Should -Be ($rows.Name | Sort-Object)
        $rows[0].PSObject.Properties.Name | Should -Be @('Name', 'Family', 'Host')
        (Get-OllamaModel | Group-Object Family | Where-Object Name -EQ 'llama').Count | Should -Be 2
    }

    It 'round-trips through Export-Csv and Import-Csv' {
        $csv = Join-Path $TestDrive 'models.csv'
        Get-OllamaModel | Export-Csv -Path $csv -NoTypeInformation
        $back = Import-Csv -Path $csv
        $back.Name | Should -Be (Get-OllamaModel).Name
        $back[0].Host | Should -Be $script:Sim.Uri
    }

    It 'converts to JSON with the properties users see' {
        $json = Get-OllamaModel -Name gemma3:1b | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $json.Name | Should -Be 'gemma3:1b'
        $json.Family | Should -Be 'gemma3'
        $json.Host | Should -Be $script:Sim.Uri
    }

    It 'formats as a table through the default views and Format-Table' {
        $text = Get-OllamaModel | Format-Table | Out-String
        $text | Should -Match 'llama3\.2:3b'
        $text | Should -Match 'Host: '
        (Get-OllamaModel -Name phi3:mini | Format-List | Out-String) | Should -Match 'Name\s+: phi3:mini'
    }

    It 'runs in ForEach-Object -Parallel runspaces, each importing the module' {
        $manifest = Join-Path (Get-RepoRoot) 'ElixiModels.psd1'
        $uri = $script:Sim.Uri
        $names = 'phi3:mini', 'gemma3:1b', 'llama3.2:3b' | ForEach-Object -Parallel {
            Import-Module $using:manifest
            (Get-OllamaModel -Name $_ -Uri $using:uri).Name
        } -ThrottleLimit 3
        ($names | Sort-Object) | Should -Be @('gemma3:1b', 'llama3.2:3b', 'phi3:mini')
    }

    It 'has help for every cmdlet, with examples' {
        foreach ($command in Get-Command -Module ElixiModels) {
            $help = Get-Help $command.Name -Full
            $help.Synopsis | Should -Not -BeNullOrEmpty -Because $command.Name
            $help.Synopsis | Should -Not -Match ('^\s*' + [regex]::Escape($command.Name) + '\s*\[') -Because "$($command.Name) has a synopsis, not its syntax"
            @($help.Examples.Example).Count | Should -BeGreaterThan 0 -Because $command.Name
        }
    }

    It 'completes model names with TabExpansion2 from the server the command would use' {
        $line = 'Switch-OllamaModel -Name ph'
        $completion = TabExpansion2 -inputScript $line -cursorColumn $line.Length
        $completion.CompletionMatches.CompletionText | Should -Contain 'phi3:mini'
    }

    It 'stops a long command with Ctrl+C ([powershell]::Stop()) and leaves the session usable' {
        Invoke-Simulator $script:Sim faults -Method Post -Body @{ responseDelayMs = 5000 } | Out-Null
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript("Import-Module '$(Join-Path (Get-RepoRoot) 'ElixiModels.psd1')'; Get-OllamaModel -Uri '$($script:Sim.Uri)'")
            $handle = $ps.BeginInvoke()
            Start-Sleep -Milliseconds 1500
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 2
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
        }
        finally { $ps.Dispose() }
        Invoke-Simulator $script:Sim reset -Method Post | Out-Null
        (Get-OllamaModel -Name phi3:mini).Name | Should -Be 'phi3:mini'
    }
}
