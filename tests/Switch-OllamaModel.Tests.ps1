#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Switch-OllamaModel' {
    It 'makes a piped model active and loads it' {
        $result = Get-OllamaModel -Name llama3.2 | Switch-OllamaModel
        $result.GetType().FullName | Should -Be 'ElixiModels.Models.ModelSwitchResult'
        $result.CurrentModel | Should -Be 'llama3.2:3b'
        $result.PreviousModel | Should -BeNullOrEmpty
        $result.Status | Should -Be 'Activated'
        $result.LoadTime | Should -BeGreaterThan ([timespan]::Zero)
        $result.Host | Should -Be $script:Sim.Uri
        (Get-OllamaModel -Loaded).Name | Should -Be 'llama3.2:3b'
    }

    It 'unloads the previous active model' {
        $result = Switch-OllamaModel phi3:mini
        $result.PreviousModel | Should -Be 'llama3.2:3b'
        $result.Unloaded | Should -BeTrue
        @(Get-OllamaModel -Loaded).Name | Should -Be @('phi3:mini')
    }

    It 'keeps the previous model loaded with -KeepPrevious' {
        $result = Switch-OllamaModel llama3.2:3b -KeepPrevious
        $result.Unloaded | Should -BeFalse
        (Get-OllamaModel -Loaded).Name | Sort-Object | Should -Be @('llama3.2:3b', 'phi3:mini')
    }

    It 'does nothing, and says so, for the active loaded model' {
        $result = Switch-OllamaModel llama3.2:3b
        $result.WasAlreadyActive | Should -BeTrue
        $result.Status | Should -Be 'Already active'
        $result.LoadTime | Should -Be ([timespan]::Zero)
    }

    It 'takes -KeepAlive <KeepAlive>' -ForEach @(
        @{ KeepAlive = 'Forever'; Until = 'Forever'; Span = [timespan]::MaxValue }
        @{ KeepAlive = '-1'; Until = 'Forever'; Span = [timespan]::MaxValue }
        @{ KeepAlive = '10m'; Until = '10 minutes from now'; Span = [timespan]::FromMinutes(10) }
        @{ KeepAlive = '2h'; Until = '2 hours from now'; Span = [timespan]::FromHours(2) }
    ) {
        $result = Switch-OllamaModel gemma3:1b -KeepAlive $KeepAlive
        $result.KeepAlive | Should -Be $Span
        $loaded = Get-OllamaModel -Loaded -Name gemma3:1b
        $loaded.Until | Should -BeLessOrEqual $Span
        $loaded.Until | Should -BeGreaterThan ($Span - [timespan]::FromMinutes(1))
        ($loaded | Out-String -Width 80) | Should -Match $Until
    }

    It 'rejects a keep-alive it cannot read' {
        { Switch-OllamaModel gemma3:1b -KeepAlive 'soon' -ErrorAction Stop } | Should -Throw -ErrorId 'ParameterArgumentTransformationError*'
    }

    It 'reports an unknown model with suggestions' {
        $err = $null
        Switch-OllamaModel 'qwen2.5-codr:7b' -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelNotFound,*'
        $err[0].Exception.Message | Should -Match 'Did you mean: qwen2\.5-coder:7b'
        $err[0].ErrorDetails.RecommendedAction | Should -Match '-AutoPull'
    }

    It 'installs a missing model first with -AutoPull' {
        $result = Switch-OllamaModel qwen3:4b -AutoPull
        $result.CurrentModel | Should -Be 'qwen3:4b'
        (Get-OllamaModel -Name qwen3).Name | Should -Be 'qwen3:4b'
    }

    It 'changes nothing with -WhatIf' {
        $before = @(Get-OllamaModel -Loaded).Name
        $before | Should -Not -BeNullOrEmpty
        $generates = @(Get-SimulatorLog $script:Sim -Path '/api/generate').Count
        $pulls = @(Get-SimulatorLog $script:Sim -Path '/api/pull').Count
        Switch-OllamaModel llava:7b -WhatIf | Should -BeNullOrEmpty
        Switch-OllamaModel mistral:7b -AutoPull -WhatIf | Should -BeNullOrEmpty
        @(Get-SimulatorLog $script:Sim -Path '/api/generate').Count | Should -Be $generates
        @(Get-SimulatorLog $script:Sim -Path '/api/pull').Count | Should -Be $pulls
        @(Get-OllamaModel -Loaded).Name | Should -Be $before
    }

    It 'uses ELIXI_MODEL when no name is given (scheduled tasks)' {
        $saved = $env:ELIXI_MODEL
        try {
            $env:ELIXI_MODEL = 'deepseek-r1:8b'
            (Switch-OllamaModel).CurrentModel | Should -Be 'deepseek-r1:8b'
            $env:ELIXI_MODEL = $null
            { Switch-OllamaModel -ErrorAction Stop } | Should -Throw -ErrorId 'ModelNameRequired*'
        }
        finally { $env:ELIXI_MODEL = $saved }
    }

    Context 'One name rule, as Ollama''s own' {
        It '<Name> is <Model> in Get, Switch, Measure and Remove' -ForEach @(
            @{ Name = 'registry.ollama.ai/library/gemma3:1b'; Model = 'gemma3:1b' }
            @{ Name = 'library/gemma3:1b'; Model = 'gemma3:1b' }
            @{ Name = 'GEMMA3:1B'; Model = 'gemma3:1b' }
            @{ Name = 'gemma3'; Model = 'gemma3:1b' }
            @{ Name = 'phi3'; Model = 'phi3:mini' }
        ) {
            @(Get-OllamaModel -Name $Name -ErrorAction Stop).Name | Should -Be $Model
            (Switch-OllamaModel $Name -ErrorAction Stop).CurrentModel | Should -Be $Model
            (Measure-OllamaModel $Name -Count 1 -Warmup 0 -MaxTokens 4 -ErrorAction Stop).Name | Should -Be $Model
            $err = $null
            Remove-OllamaModel $Name -Force -WhatIf -ErrorVariable err
            $err | Should -BeNullOrEmpty
        }
    }

    It 'shows a long cold load as a bar with the time elapsed, and says with -Verbose what it waits for' {
        Invoke-Simulator $script:Sim faults -Method Post -Body @{ coldLoadExtraMs = 3000 } | Out-Null
        try {
            $run = Invoke-WithProgress "Switch-OllamaModel qwen2.5-coder:7b -KeepAlive 10m -ContextLength 8192 -Verbose -Uri '$($script:Sim.Uri)'"
        }
        finally { Invoke-Simulator $script:Sim faults -Method Post -Body @{ coldLoadExtraMs = 0 } | Out-Null }
        $run.Errors | Should -BeNullOrEmpty
        $run.Output.CurrentModel | Should -Be 'qwen2.5-coder:7b'
        $bar = @($run.Progress | Where-Object Activity -EQ 'Loading qwen2.5-coder:7b')
        $ticks = @($bar | Where-Object RecordType -EQ 'Processing')
        $ticks.Count | Should -BeGreaterOrEqual 2
        $ticks[0].StatusDescription | Should -Be "1 s elapsed $([char]0xB7) $($script:Sim.Uri)"
        $seconds = @($ticks | ForEach-Object { [int]($_.StatusDescription -replace ' s elapsed.*') })
        for ($i = 1; $i -lt $seconds.Count; $i++) { $seconds[$i] | Should -BeGreaterThan $seconds[$i - 1] }
        $bar[-1].RecordType | Should -Be 'Completed'
        $bar.Count | Should -Be ($ticks.Count + 1)
        $waiting = @($run.Verbose | Where-Object { $_ -like 'Loading qwen2.5-coder:7b on *' })
        $waiting.Count | Should -Be 1
        $waiting[0] | Should -BeLike "Loading qwen2.5-coder:7b on $($script:Sim.Uri) through /api/generate (keep alive: 10m 00s, context: 8?192 tokens); waiting for the server to answer, at most 10m 00s."
    }

    It 'loads an embedding-only model through /api/embed instead of failing' {
        $result = Switch-OllamaModel nomic-embed-text -KeepAlive 5m -ErrorAction Stop
        $result.CurrentModel | Should -Be 'nomic-embed-text:latest'
        (Get-OllamaModel -Loaded).Name | Should -Contain 'nomic-embed-text:latest'
    }
}

