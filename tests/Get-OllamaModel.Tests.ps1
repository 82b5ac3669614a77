#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Get-OllamaModel' {
    It 'lists installed models as typed objects' {
        $models = @(Get-OllamaModel)
        $models.Count | Should -BeGreaterThan 3
        $llama = $models | Where-Object Name -EQ 'llama3.2:3b'
        $llama | Should -Not -BeNullOrEmpty
        $llama.GetType().FullName | Should -Be 'ElixiModels.Models.OllamaModel'
        $llama.Tag | Should -Be '3b'
        $llama.Family | Should -Be 'llama'
        $llama.ParameterSize | Should -BeOfType [long]
        $llama.ParameterSize | Should -BeGreaterThan 3.1e9
        $llama.ParameterSize | Should -BeLessThan 3.3e9
        $llama.Quantization | Should -Be 'Q4_K_M'
        $llama.SizeBytes | Should -BeGreaterThan 0
        $llama.Size | Should -Be $llama.SizeBytes
        $llama.Digest.Length | Should -Be 64
        $llama.Host | Should -Be $script:Sim.Uri
    }

    It 'filters by <Name>' -ForEach @(
        @{ Name = 'llama*'; Expected = @('llama3.2:3b') }
        @{ Name = 'll*'; Expected = @('llama3.2:3b', 'llava:7b') }
        @{ Name = 'LLAMA3.2'; Expected = @('llama3.2:3b') }
        @{ Name = 'llama3.2:3b'; Expected = @('llama3.2:3b') }
        @{ Name = '*coder*'; Expected = @('qwen2.5-coder:7b') }
        @{ Name = 'nomic-embed-text'; Expected = @('nomic-embed-text:latest') }
        @{ Name = 'nothing*'; Expected = @() }
    ) {
        $names = @(Get-OllamaModel -Name $Name | ForEach-Object Name)
        ($names | Sort-Object) -join ',' | Should -Be (($Expected | Sort-Object) -join ',')
    }

    It '-Verbose says which server it asked and why, and what the session cache saved' {
        Clear-OllamaCache -Confirm:$false
        $first = @(Get-OllamaModel -Detailed -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message
        $first | Should -Contain "Server $($script:Sim.Uri) (-Uri from `$PSDefaultParameterValues)."
        ($first -join "`n") | Should -Match '0 from the session cache, \d+ read with /api/show'
        $again = @(Get-OllamaModel -Detailed -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message
        ($again -join "`n") | Should -Match '(\d+) model\(s\) on .*: \1 from the session cache, 0 read'
        $piped = @(Get-OllamaModel phi3:mini | Get-OllamaModel -Verbose 4>&1 | Where-Object { $_ -is [Management.Automation.VerboseRecord] }).Message
        $piped | Should -Contain "Server $($script:Sim.Uri) (the Host of the piped object)."
    }

    It 'reports an unknown name with a suggestion' {
        $err = $null
        Get-OllamaModel -Name 'lama3.2:3b' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelNotFound*'
        $err[0].Exception.Message | Should -Match 'llama3\.2:3b'
    }

    It 'lists loaded models with placement and expiry' {
        Invoke-RestMethod -Uri "$($script:Sim.Uri)/api/generate" -Method Post -Body '{"model":"llama3.2:3b"}' -ContentType 'application/json' | Out-Null
        $loaded = @(Get-OllamaModel -Loaded)
        $loaded.Count | Should -Be 1
        $loaded[0].Name | Should -Be 'llama3.2:3b'
        $loaded[0].Processor | Should -Match 'CPU|GPU'
        $loaded[0].ContextLength | Should -BeGreaterThan 0
        (Get-OllamaModel -Name 'llama3.2:3b').IsLoaded | Should -BeTrue
    }

    It 'binds objects by property name' {
        (Get-OllamaModel -Name 'phi3*' | Get-OllamaModel).Name | Should -Be 'phi3:mini'
    }

    It 'gives one clear error when the server is unreachable' {
        $dead = Get-DeadUri
        $err = $null
        Get-OllamaModel -Uri $dead -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -Be 'OllamaUnreachable,ElixiModels.Commands.GetOllamaModelCommand'
        $err[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'ollama serve'
    }

    It 'never sends loopback requests through HTTP_PROXY, and names a proxy that fails' {
        $saved = $env:HTTP_PROXY, $env:NO_PROXY
        $deadProxy = ([uri](Get-DeadUri)).Authority
        try {
            $env:HTTP_PROXY = "http://$deadProxy"
            $env:NO_PROXY = $null
            (Get-OllamaModel -Name phi3).Name | Should -Be 'phi3:mini'    # the simulator is on 127.0.0.1

            $err = $null
            Get-OllamaModel -Uri 'http://gpu-box.example:11434' -TimeoutSec 5 -ErrorVariable err -ErrorAction SilentlyContinue | Out-Null
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'OllamaUnreachable*'
            $err[0].Exception.Message | Should -Match "through the proxy http://$([regex]::Escape($deadProxy)) \(from HTTP_PROXY\)"
            $err[0].Exception.Message | Should -Match 'NO_PROXY'
        }
        finally {
            $env:HTTP_PROXY, $env:NO_PROXY = $saved
        }
    }

    It 'rejects an invalid -Uri' {
        { Get-OllamaModel -Uri 'ftp://example.com' -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidOllamaUri*'
    }

    It 'honours OLLAMA_HOST' {
        $saved = $env:OLLAMA_HOST
        try {
            $PSDefaultParameterValues.Remove('*-Ollama*:Uri')
            $env:OLLAMA_HOST = ([uri]$script:Sim.Uri).Authority
            (Get-OllamaModel -Name phi3).Name | Should -Be 'phi3:mini'
        }
        finally {
            $env:OLLAMA_HOST = $saved
            $PSDefaultParameterValues['*-Ollama*:Uri'] = $script:Sim.Uri
        }
    }

    Context '-Detailed' {
        BeforeEach {
            Clear-OllamaCache
        }

        It 'fills capabilities, context length and task types from /api/show' {
            $coder = Get-OllamaModel -Name 'qwen2.5-coder:7b' -Detailed
            $coder.HasDetails | Should -BeTrue
            $coder.Capabilities | Should -Be @('completion', 'tools', 'insert')
            $coder.ContextLength | Should -Be 32768
            $coder.TaskTypes | Should -Be @('coding', 'tools')
            (Get-OllamaModel -Name 'nomic-embed-text' -Detailed).TaskTypes | Should -Be @('embedding')
        }

        It 'answers a second listing from the session cache' {
            $count = @(Get-OllamaModel -Detailed).Count
            $before = Get-OllamaCache
            $again = @(Get-OllamaModel -Detailed)
            $after = Get-OllamaCache
            $again.Count | Should -Be $count
            ($after.Hits - $before.Hits) | Should -Be $count
            $after.Misses | Should -Be $before.Misses
        }

        It 'fills only what classifies a model without -Detailed' {
            $phi3 = Get-OllamaModel -Name 'phi3'
            $phi3.HasDetails | Should -BeFalse
            $phi3.Template | Should -BeNullOrEmpty
            $phi3.Capabilities | Should -Contain 'completion'
        }

        It 'gives the same TaskTypes with and without -Detailed, so Where-Object TaskTypes finds every model' -ForEach @(
            @{ Task = 'tools' }, @{ Task = 'analysis' }, @{ Task = 'coding' }, @{ Task = 'fast' }, @{ Task = 'general' }
        ) {
            $plain = @(Get-OllamaModel | Where-Object TaskTypes -Contains $Task | ForEach-Object Name)
            Clear-OllamaCache
            $detailed = @(Get-OllamaModel -Detailed | Where-Object TaskTypes -Contains $Task | ForEach-Object Name)
            $plain | Should -Be $detailed
            $plain.Count | Should -BeGreaterThan 0
        }
    }

    Context '-Available' {
        It 'lists the shipped catalog offline, marking installed models' {
            $catalog = @(Get-OllamaModel -Available -Offline)
            $catalog.Count | Should -BeGreaterOrEqual 40
            $catalog[0].GetType().FullName | Should -Be 'ElixiModels.Models.OllamaCatalogModel'
            ($catalog | Where-Object Name -EQ 'llama3.2:3b').IsInstalled | Should -BeTrue
            ($catalog | Where-Object Name -EQ 'mistral:7b').IsInstalled | Should -BeFalse
            $catalog | ForEach-Object { $_.Source | Should -Be 'Catalog' }
        }

        It 'confirms entries against the registry without duplicates' {
            $live = @(Get-OllamaModel -Available -RegistryUri $script:Sim.Uri)
            ($live | Where-Object Name -EQ 'mistral:7b').Source | Should -Be 'Registry'
            ($live.Name | Sort-Object -Unique).Count | Should -Be $live.Count
        }

        It 'falls back to the catalog silently when the registry is unreachable' {
            $warnings = $null
            $models = @(Get-OllamaModel -Available -Task coding -RegistryUri (Get-DeadUri) -WarningVariable warnings)
            $models.Count | Should -BeGreaterThan 0
            $warnings | Should -BeNullOrEmpty
        }

        It 'filters coding models that fit this machine' {
            $budget = (Get-OllamaModelStatus).HostResources.UsableMemoryBytes
            $fit = @(Get-OllamaModel -Available -Task coding -FitsMemory -Offline)
            $fit | ForEach-Object {
                $_.TaskTypes | Should -Contain 'coding'
                $_.RequiredMemoryBytes | Should -BeLessOrEqual $budget
            }
        }

        It 'filters by capability and size' {
            Get-OllamaModel -Available -Offline -Capability vision -MaxSize 5GB | ForEach-Object {
                $_.Capabilities | Should -Contain 'vision'
                $_.SizeBytes | Should -BeLessOrEqual 5GB
            }
        }

        It 'reports a name that is nowhere' {
            $err = $null
            Get-OllamaModel -Available -Name 'no-such-model:1b' -RegistryUri $script:Sim.Uri -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelNotAvailable*'
        }
    }

    Context 'Quantities are numbers, shown in binary units' {
        It 'sorts by Size as bytes' {
            $sorted = @(Get-OllamaModel | Sort-Object Size)
            $sorted.Size | Should -Be @($sorted.SizeBytes | Sort-Object)
            $sorted[0].Name | Should -Be 'nomic-embed-text:latest'
            $sorted[0].Size | Should -BeOfType [long]
        }

        It 'filters with Where-Object Size -gt 2GB' {
            $big = @(Get-OllamaModel | Where-Object Size -gt 2GB)
            $big.Name | Should -Not -Contain 'nomic-embed-text:latest'
            $big.Name | Should -Not -Contain 'gemma3:1b'
            $big | ForEach-Object { $_.SizeBytes | Should -BeGreaterThan (2 * 1024 * 1024 * 1024) }
        }

        It 'filters and sums ParameterSize as a count' {
            $large = @(Get-OllamaModel | Where-Object ParameterSize -ge 7e9 | ForEach-Object Name)
            $large | Should -Contain 'qwen2.5-coder:7b'
            $large | Should -Not -Contain 'llama3.2:3b'
            (Get-OllamaModel | Measure-Object ParameterSize -Sum).Sum | Should -BeGreaterThan 1e10
        }

        It 'shows sizes in GiB, the unit of PowerShell''s 1GB, and parameters as Ollama writes them' {
            $text = Get-OllamaModel -Name 'qwen2.5-coder:7b' | Out-String -Width 80
            $coder = Get-OllamaModel -Name 'qwen2.5-coder:7b'
            $text | Should -Match ([regex]::Escape([ElixiModels.Models.Units]::Bytes($coder.Size)))
            [ElixiModels.Models.Units]::Bytes($coder.Size) | Should -Match ' GiB$'
            $text | Should -Match '7\.6B'
            $text | Should -Not -Match '\d GB\b'
        }

        It 'keeps -MaxSize 5GB and the shown sizes in one unit' {
            $models = @(Get-OllamaModel -Available -Offline -MaxSize 5GB)
            $models.Count | Should -BeGreaterThan 0
            foreach ($m in $models) {
                $m.Size | Should -BeLessOrEqual 5GB
                $shown = [ElixiModels.Models.Units]::Bytes($m.Size)
                if ($shown -match '^([\d.]+) GiB$') { [double]$Matches[1] | Should -BeLessOrEqual 5.0 -Because "$($m.Name) is shown as $shown" }
                else { $shown | Should -Match ' (B|KiB|MiB)$' }
            }
            @(Get-OllamaModel -Available -Offline | Where-Object RequiredMemory -gt 0).Count | Should -BeGreaterThan 0
        }

        It 'gives loaded models numeric Size, Vram and a TimeSpan Until' {
            Switch-OllamaModel gemma3:1b -KeepAlive 10m | Out-Null
            $m = Get-OllamaModel -Loaded -Name gemma3:1b
            $m.Size | Should -BeOfType [long]
            $m.Vram | Should -BeOfType [long]
            $m.Until | Should -BeOfType [timespan]
            $m.Until | Should -BeGreaterThan ([timespan]::FromMinutes(9))
            $m.Until | Should -BeLessOrEqual ([timespan]::FromMinutes(10))
            @(Get-OllamaModel -Loaded | Where-Object Until -lt ([timespan]::FromHours(1))).Name | Should -Contain 'gemma3:1b'
            ($m | Out-String -Width 80) | Should -Match '10 minutes from now'
        }
    }

    Context 'Defaults in $PSDefaultParameterValues never break the default listing' {
        BeforeAll {
            $script:Plain = @(Get-OllamaModel).Count
        }

        AfterEach {
            foreach ($key in @($PSDefaultParameterValues.Keys | Where-Object { $_ -like 'Get-OllamaModel:*' })) {
                $PSDefaultParameterValues.Remove($key)
            }
        }

        It 'lists installed models with a default for -<Parameter>' -ForEach @(
            @{ Parameter = 'RegistryUri'; Value = 'https://registry.example' }
            @{ Parameter = 'Task'; Value = 'coding' }
            @{ Parameter = 'Capability'; Value = 'vision' }
            @{ Parameter = 'MaxSize'; Value = 1GB }
            @{ Parameter = 'FitsMemory'; Value = $true }
            @{ Parameter = 'Offline'; Value = $true }
            @{ Parameter = 'Refresh'; Value = $true }
            @{ Parameter = 'Detailed'; Value = $true }
        ) {
            $PSDefaultParameterValues["Get-OllamaModel:$Parameter"] = $Value
            @(Get-OllamaModel -ErrorAction Stop).Count | Should -Be $script:Plain
            @(Get-OllamaModel -Name 'phi3' -ErrorAction Stop).Name | Should -Be 'phi3:mini'
            { Get-OllamaModel -Loaded -ErrorAction Stop } | Should -Not -Throw
        }

        It 'applies a default -Task to -Available' {
            $PSDefaultParameterValues['Get-OllamaModel:Task'] = 'coding'
            Get-OllamaModel -Available -Offline | ForEach-Object { $_.TaskTypes | Should -Contain 'coding' }
        }

        It 'rejects a typed -<Parameter> without -Available' -ForEach @(
            @{ Parameter = 'Task'; Value = 'coding' }
            @{ Parameter = 'MaxSize'; Value = 1GB }
            @{ Parameter = 'RegistryUri'; Value = 'https://registry.example' }
        ) {
            $arguments = @{ $Parameter = $Value }
            { Get-OllamaModel @arguments -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterNeedsAvailable*'
        }
    }

    Context 'Silent no-ops are errors or warnings' {
        It 'rejects an unknown -Capability, naming the known ones' {
            $e = { Get-OllamaModel -Available -Offline -Capability visoin -ErrorAction Stop } | Should -Throw -ErrorId 'UnknownCapability*' -PassThru
            $e.Exception.Message | Should -Match 'visoin'
            $e.Exception.Message | Should -Match 'vision'
        }

        It 'warns that a -RegistryUri without a scheme means https' {
            $w = $null
            Get-OllamaModel -Available -Task coding -RegistryUri ([uri](Get-DeadUri)).Authority -WarningVariable w -WarningAction SilentlyContinue | Out-Null
            ($w -join "`n") | Should -Match 'no scheme; using https://'
        }
    }

    Context 'Feedback: -Debug traces requests, -Uri completes servers' {
        It 'traces every request with -Debug: method, URL, status, elapsed ms, bytes' {
            $records = @(Get-OllamaModel -Debug 5>&1 | Where-Object { $_ -is [System.Management.Automation.DebugRecord] })
            $records.Message | Should -Contain ($records.Message | Where-Object { $_ -match "^GET $([regex]::Escape($script:Sim.Uri))/api/tags -> 200 OK in \d+ ms, \d+ bytes$" } | Select-Object -First 1)
            @($records.Message -match '/api/ps -> 200').Count | Should -Be 1
            # No prompt: the verbose text rides along as debug lines.
            $records.Message | Should -Contain "VERBOSE: Server $($script:Sim.Uri) (-Uri from `$PSDefaultParameterValues)."
        }

        It 'never traces prompt text' {
            # -Verbose:$false: a binary cmdlet's -Debug alone makes PowerShell ask before each verbose message.
            $records = @(Measure-OllamaModel gemma3:1b -Prompt 'my secret plan' -Count 1 -Warmup 0 -MaxTokens 4 -Debug -Verbose:$false 5>&1 |
                Where-Object { $_ -is [System.Management.Automation.DebugRecord] })
            ($records.Message -match 'POST .*/api/generate -> 200 OK in \d+ ms').Count | Should -BeGreaterThan 0
            ($records.Message -join "`n") | Should -Not -Match 'secret'
        }

        It 'completes -Uri with the server $PSDefaultParameterValues names and the servers used in the session' {
            $line = 'Get-OllamaModel -Uri '
            $texts = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
            $texts | Should -Contain $script:Sim.Uri
            $texts | Should -Contain ([ElixiModels.Ollama.OllamaEndpoint]::Display([ElixiModels.Ollama.OllamaEndpoint]::FromEnvironment()))
            $partial = 'Get-OllamaModel -Uri ' + ([uri]$script:Sim.Uri).Authority.Substring(0, 12)
            (TabExpansion2 -inputScript $partial -cursorColumn $partial.Length).CompletionMatches.CompletionText | Should -Contain $script:Sim.Uri
        }

        It 'completes from the profile''s $PSDefaultParameterValues when completion runs inside a module, as PSReadLine''s does' {
            # PSReadLine completes from its own module's scope; a real console (pty) missed the defaults there.
            New-Module -Name FakeReadLine -ScriptBlock {
                function Complete([string] $Line) {
                    $PSDefaultParameterValues = @{}
                    (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText
                }
            } | Import-Module
            try {
                FakeReadLine\Complete 'Get-OllamaModel -Uri ' | Should -Contain $script:Sim.Uri
                FakeReadLine\Complete 'Remove-OllamaModel gemm' | Should -Contain 'gemma3:1b'
            }
            finally { Remove-Module FakeReadLine }
        }

        It 'completes -Name from the server $PSDefaultParameterValues names, not the default one' {
            $line = 'Switch-OllamaModel gemma'
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText | Should -Contain 'gemma3:1b'
        }
    }
}
