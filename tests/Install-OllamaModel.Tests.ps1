#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Install-OllamaModel' {
    BeforeEach {
        Invoke-Simulator $script:Sim reset -Method Post | Out-Null
    }

    It 'installs a piped object by its Name and outputs the installed model' {
        $model = [pscustomobject]@{ Name = 'qwen2.5:0.5b' } | Install-OllamaModel
        $model.GetType().FullName | Should -Be 'ElixiModels.Models.OllamaModel'
        $model.Name | Should -Be 'qwen2.5:0.5b'
        $model.Host | Should -Be $script:Sim.Uri
        (Get-OllamaModel -Name 'qwen2.5:0.5b').Name | Should -Be 'qwen2.5:0.5b'
    }

    It 'installs two new models with one listing of the server before and one after each pull (at most 5 requests)' {
        Invoke-Simulator $script:Sim reset -Method Post | Out-Null
        $models = Install-OllamaModel -Name 'qwen2.5:0.5b', 'smollm2:135m'
        $models.Name | Should -Be 'qwen2.5:0.5b', 'smollm2:135m'
        # The pre-flight's HEAD /api/blobs (one per registry layer, when the registry answers) is not the inventory.
        $api = @(Get-SimulatorLog $script:Sim -Path '/api/' | Where-Object { -not ($_.method -eq 'HEAD' -and $_.path -like '/api/blobs/*') })
        ($api | ForEach-Object { "$($_.method) $($_.path)" }) -join ', ' |
            Should -Be 'GET /api/tags, POST /api/pull, GET /api/tags, POST /api/pull, GET /api/tags'
        $api.Count | Should -BeLessOrEqual 5
    }

    It 'pipes into Switch-OllamaModel' {
        $result = [pscustomobject]@{ Name = 'smollm2:135m' } | Install-OllamaModel | Switch-OllamaModel
        $result.GetType().FullName | Should -Be 'ElixiModels.Models.ModelSwitchResult'
        $result.CurrentModel | Should -Be 'smollm2:135m'
        (Get-OllamaModel -Loaded).Name | Should -Contain 'smollm2:135m'
    }

    It 'downloads nothing for an installed model unless -Force' {
        $before = (Get-OllamaModel -Name 'phi3:mini').ModifiedAt
        $warnings = $null
        $model = Install-OllamaModel phi3:mini -WarningVariable warnings -WarningAction SilentlyContinue
        $model.Name | Should -Be 'phi3:mini'
        $warnings[0] | Should -Match 'already installed.*-Force'
        (Get-OllamaModel -Name 'phi3:mini').ModifiedAt | Should -Be $before

        Install-OllamaModel phi3:mini -Force | Out-Null
        (Get-OllamaModel -Name 'phi3:mini').ModifiedAt | Should -Not -Be $before
    }

    It 'shows one bar at most 10 times a second, never backwards, ending Completed' {
        $sw = [System.Diagnostics.Stopwatch]::StartNew()
        $run = Invoke-WithProgress "Install-OllamaModel mxbai-embed-large -ShowLayers -Uri '$($script:Sim.Uri)'"
        $elapsed = $sw.Elapsed.TotalSeconds
        $run.Errors | Should -BeNullOrEmpty
        $run.Output.Name | Should -Be 'mxbai-embed-large:latest'
        $bar = @($run.Progress | Where-Object ParentActivityId -LT 0)
        $bar.Count | Should -BeGreaterThan 1
        $bar.Count | Should -BeLessOrEqual ([math]::Ceiling($elapsed * 10) + 1)
        for ($i = 1; $i -lt $bar.Count; $i++) {
            $bar[$i].PercentComplete | Should -BeGreaterOrEqual $bar[$i - 1].PercentComplete
        }
        $bar[-1].RecordType | Should -Be 'Completed'
        $bar[0].Activity | Should -Be 'Installing mxbai-embed-large:latest'
    }

    It 'says "layer 1 of >=1" while the blobs are being discovered' {
        Invoke-Simulator $script:Sim faults -Method Post -Body @{ pullBytesPerSecond = 3000000000 } | Out-Null
        $run = Invoke-WithProgress "Install-OllamaModel mistral:7b -RegistryUri '$(Get-DeadUri)' -Uri '$($script:Sim.Uri)' -WarningAction SilentlyContinue"
        $run.Errors | Should -BeNullOrEmpty
        $phases = @($run.Progress | Where-Object ParentActivityId -LT 0 | ForEach-Object CurrentOperation)
        $phases | Should -Contain "Downloading layer 1 of $([char]0x2265)1"
        @($phases -match '^Downloading layer \d+ of \d') | Should -BeNullOrEmpty
    }

    It 'says "layer 1 of <n>" once the registry manifest told how many blobs there are' {
        Invoke-Simulator $script:Sim faults -Method Post -Body @{ pullBytesPerSecond = 3000000000 } | Out-Null
        $manifest = Invoke-RestMethod "$($script:Sim.Uri)/v2/library/mistral/manifests/7b"
        $blobs = $manifest.layers.Count + 1
        $run = Invoke-WithProgress "Install-OllamaModel mistral:7b -ShowLayers -RegistryUri '$($script:Sim.Uri)' -Uri '$($script:Sim.Uri)' -WarningAction SilentlyContinue"
        $run.Errors | Should -BeNullOrEmpty
        $phases = @($run.Progress | Where-Object ParentActivityId -LT 0 | ForEach-Object CurrentOperation)
        $phases | Should -Contain "Downloading layer 1 of $blobs"
        @($phases -match [char]0x2265) | Should -BeNullOrEmpty
        @($run.Progress | Where-Object ParentActivityId -GE 0 | Where-Object RecordType -EQ Processing)[0].Activity | Should -BeLike "Layer 1 of $($blobs): *"
    }

    It 'reports an unknown model with the server''s text and suggestions' {
        $err = $null
        Install-OllamaModel 'lama3.2:3b' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelNotInRegistry,*'
        $err[0].Exception.Message | Should -Match 'file does not exist'
        $err[0].ErrorDetails.Message | Should -Match 'Did you mean: llama3\.2:3b'
    }

    It 'refuses an invalid name' {
        $err = $null
        Install-OllamaModel 'bad name!' -ErrorVariable err -ErrorAction SilentlyContinue
        $err[0].FullyQualifiedErrorId | Should -BeLike 'InvalidModelName,*'
    }

    It 'downloads nothing with -WhatIf' {
        Install-OllamaModel tinyllama -WhatIf | Should -BeNullOrEmpty
        Get-OllamaModel -Name 'tinyllama:latest' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        Get-SimulatorLog $script:Sim -Path '/api/pull' | Should -BeNullOrEmpty
    }

    It 'turns an error line in the middle of the download into an error with the server''s text' {
        Invoke-Simulator $script:Sim faults -Method Post -Body @{
            errorLineAfter = @{ path = '/api/pull'; lines = 3; error = 'write /root/.ollama/models/blobs/sha256-x-partial: no space left on device' }
        } | Out-Null
        $err = $null
        Install-OllamaModel codellama:7b -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'InsufficientDiskSpace,ElixiModels.Commands.InstallOllamaModelCommand'
        $err[0].Exception.Message | Should -Match 'no space left on device'
        $err[0].ToString() | Should -Match "Cannot install 'codellama:7b' on .*no space left on device"
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'resumes'
    }

    It 'rejects -KeepAlive without -AutoSwitch instead of ignoring it' {
        $e = { Install-OllamaModel tinyllama -KeepAlive 10m -ErrorAction Stop } | Should -Throw -ErrorId 'KeepAliveNeedsAutoSwitch*' -PassThru
        $e.ErrorDetails.RecommendedAction | Should -Match 'AutoSwitch'
    }

    It 'ignores a $PSDefaultParameterValues -KeepAlive when there is no -AutoSwitch' {
        $PSDefaultParameterValues['Install-OllamaModel:KeepAlive'] = '5m'
        try {
            { Install-OllamaModel llama3.2:3b -ErrorAction Stop } | Should -Not -Throw
        }
        finally {
            $PSDefaultParameterValues.Remove('Install-OllamaModel:KeepAlive')
        }
    }

    It 'installs and switches with -AutoSwitch' {
        $result = Install-OllamaModel tinyllama -AutoSwitch -KeepAlive 10m
        $result.CurrentModel | Should -Be 'tinyllama:latest'
        $result.KeepAlive | Should -Be ([timespan]::FromMinutes(10))
        $result.KeepAliveText | Should -Be '10m 00s'
        (Get-OllamaModel -Loaded).Name | Should -Contain 'tinyllama:latest'
    }

    It 'stops a download within a second on Ctrl+C, stays usable, and resumes on a re-run' {
        Invoke-Simulator $script:Sim faults -Method Post -Body @{ pullBytesPerSecond = 50000000 } | Out-Null
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($Manifest, $Uri) Import-Module $Manifest; Install-OllamaModel llama3.1:8b -Uri $Uri').
                AddArgument((Join-Path (Get-RepoRoot) 'ElixiModels.psd1')).AddArgument($script:Sim.Uri)
            $null = $ps.BeginInvoke()
            $deadline = [datetime]::UtcNow.AddSeconds(20)
            while ($ps.Streams.Progress.Count -lt 3 -and [datetime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $ps.Streams.Progress.Count | Should -BeGreaterOrEqual 3
            $sw = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $sw.Elapsed.TotalSeconds | Should -BeLessThan 1
        }
        finally { $ps.Dispose() }

        Get-OllamaModel -Name 'llama3.1:8b' -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        (Get-OllamaModel -Name phi3).Name | Should -Be 'phi3:mini'
        Invoke-Simulator $script:Sim reset -Method Post | Out-Null
        (Install-OllamaModel llama3.1:8b).Name | Should -Be 'llama3.1:8b'
    }
}

Describe 'Get-OllamaModel -Outdated' {
    It 'lists nothing when every model matches the registry' {
        $warnings = $null
        Get-OllamaModel -Outdated -RegistryUri $script:Sim.Uri -WarningVariable warnings | Should -BeNullOrEmpty
        $warnings | Should -BeNullOrEmpty
    }

    It 'warns, naming the models, when the registry cannot be reached' {
        $warnings = $null
        $out = Get-OllamaModel -Outdated -Name 'phi3*', 'llama3.2*' -RegistryUri (Get-DeadUri) -TimeoutSec 3 -WarningVariable warnings -WarningAction SilentlyContinue
        $out | Should -BeNullOrEmpty
        $warnings.Count | Should -Be 1
        $warnings[0] | Should -Match 'phi3:mini'
        $warnings[0] | Should -Match 'llama3\.2:3b'
    }

    It 'lists a model whose registry version changed, and Install-OllamaModel -Force updates it' {
        $digest = 'd' * 64
        Invoke-Simulator $script:Sim remote-digest -Method Post -Body @{ name = 'phi3:mini'; digest = $digest } | Out-Null
        $outdated = @(Get-OllamaModel -Outdated -RegistryUri $script:Sim.Uri)
        $outdated.Name | Should -Be @('phi3:mini')

        $updated = $outdated | Install-OllamaModel -Force
        $updated.Digest | Should -Be $digest
        Get-OllamaModel -Outdated -RegistryUri $script:Sim.Uri | Should -BeNullOrEmpty
    }

    It 'honours ELIXI_REGISTRY' {
        $saved = $env:ELIXI_REGISTRY
        try {
            $env:ELIXI_REGISTRY = Get-DeadUri
            $warnings = $null
            Get-OllamaModel -Outdated -Name phi3 -TimeoutSec 3 -WarningVariable warnings -WarningAction SilentlyContinue | Should -BeNullOrEmpty
            $warnings[0] | Should -Match ([regex]::Escape($env:ELIXI_REGISTRY))
        }
        finally { $env:ELIXI_REGISTRY = $saved }
    }

    It 'rejects an invalid -RegistryUri' {
        { Get-OllamaModel -Outdated -RegistryUri 'ftp://example.com' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidRegistryUri*'
    }
}

Describe 'Install-OllamaModel pre-flight' {
    It 'shows the download size, the free disk of the model store and the memory fit with -WhatIf, in a fresh process' {
        $module = Join-Path (Get-RepoRoot) 'ElixiModels.psd1'
        $store = Join-Path ([IO.Path]::GetTempPath()) ('elixi-models-' + [guid]::NewGuid().ToString('N'))
        New-Item -ItemType Directory $store | Out-Null
        $env:OLLAMA_MODELS = $store
        try {
            $out = Invoke-FreshPwsh "Import-Module '$module'; Install-OllamaModel mistral:7b -Uri '$($script:Sim.Uri)' -RegistryUri '$($script:Sim.Uri)' -WhatIf"
        }
        finally { Remove-Item Env:OLLAMA_MODELS; Remove-Item $store -Recurse -Force }
        $text = "$out"
        $text | Should -Match 'What if: .*Download and install \(download 4\.1 GiB; disk: [\d.]+ [KMGT]?i?B free in '
        $text | Should -Match ([regex]::Escape($store))
        $text | Should -Match 'memory: needs about 4\.9 GiB, [\d.]+ [KMGT]?i?B available'
        Get-OllamaModel mistral:7b -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
    }

    It 'counts only the blobs the server does not have yet' {
        $module = Join-Path (Get-RepoRoot) 'ElixiModels.psd1'
        $out = Invoke-FreshPwsh "Import-Module '$module'; Install-OllamaModel phi3:mini -Force -Uri '$($script:Sim.Uri)' -RegistryUri '$($script:Sim.Uri)' -WhatIf"
        "$out" | Should -Match 'What if: .*Update to the registry.s current version .*download 0 B of 2\.0 GiB \(the rest is on the server\)'
    }
}

Describe 'Get-OllamaModel -Outdated update facts' {
    It 'shows the installed and the registry digest and the download size of the update' {
        $digest = 'e' * 64
        Invoke-Simulator $script:Sim remote-digest -Method Post -Body @{ name = 'llama3.2:3b'; digest = $digest } | Out-Null
        $m = Get-OllamaModel -Outdated -Name llama3.2:3b -RegistryUri $script:Sim.Uri
        $m.Name | Should -Be 'llama3.2:3b'
        $m.Digest | Should -Not -Be $digest
        $m.RemoteDigest | Should -Be $digest
        $m.UpdateBytes | Should -BeOfType [long]
        $m.UpdateBytes | Should -BeLessOrEqual ($m.SizeBytes + 1MB)
        ($m | Format-Table | Out-String -Width 200) | Should -Match "llama3\.2:3b .* $($m.Id) +eeeeeeeeeeee +[\d.]+ [KMG]?i?B"
    }
}
