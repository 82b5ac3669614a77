#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Measure-OllamaModel' {
    It 'measures several models one after another, side by side' {
        $results = @(Measure-OllamaModel gemma3:1b, llama3.2:3b -Count 3 -MaxTokens 8)
        $results.Name | Should -Be @('gemma3:1b', 'llama3.2:3b')
        $results[0].GetType().FullName | Should -Be 'ElixiModels.Models.BenchmarkResult'
        $results[0].Host | Should -Be $script:Sim.Uri
        $results[0].RunCount | Should -Be 3
        $results[0].ErrorRate | Should -Be 0
        $results[0].IsComplete | Should -BeTrue
        $results[0].Runs.Count | Should -Be 3
        $results[0].Runs | ForEach-Object {
            $_.Succeeded | Should -BeTrue
            $_.GenerateTokens | Should -Be 8
            $_.TtftMs | Should -BeGreaterThan 0
        }
        $results[0].GenerateTpsMedian | Should -BeGreaterThan 0
        foreach ($stat in 'Mean', 'Median', 'P95', 'StdDev', 'Min', 'Max') {
            $results[0]."TtftMs$stat" | Should -Not -BeNullOrEmpty
        }
    }

    It 'records what is needed to reproduce the numbers' {
        $r = Measure-OllamaModel llava:7b -Count 1 -MaxTokens 4 -Seed 7 -Temperature 0.5 -Task Coding
        $r.ParameterSize | Should -Be 7e9
        $r.Quantization | Should -Be 'Q4_0'
        $r.GpuPercent | Should -Be 85
        $r.Processor | Should -Be '15%/85% CPU/GPU'
        $r.ContextLength | Should -BeGreaterThan 0
        $r.ServerVersion | Should -Be ($env:OLLAMA_SIMULATOR_VERSION ?? '0.32.15')
        $r.IsLocalServer | Should -BeTrue
        $r.LogicalProcessors | Should -Be ([Environment]::ProcessorCount)
        $r.PromptSet | Should -Be 'coding'
        $r.Seed | Should -Be 7
        $r.Temperature | Should -Be 0.5
        $r.LoadMs | Should -BeGreaterThan 0
    }

    It 'counts a failed run in the error rate and goes on with the others' {
        Invoke-Simulator $script:Sim faults -Method Post -Body @{
            failNext = @{ path = '/api/generate'; status = 500; error = 'model requires more system memory (out of memory)'; times = 1 }
        } | Out-Null
        try {
            $r = Measure-OllamaModel gemma3:1b -Count 4 -Warmup 0 -MaxTokens 6
            $r.RunCount | Should -Be 4
            $r.Errors | Should -Be 1
            $r.ErrorRate | Should -Be 0.25
            $r.Runs[0].Succeeded | Should -BeFalse
            $r.Runs[0].Error | Should -Match 'out of memory'
            @($r.Runs | Where-Object Succeeded).Count | Should -Be 3
        }
        finally {
            Invoke-Simulator $script:Sim reset -Method Post | Out-Null
        }
    }

    It 'counts a run the server aborted (token repeat limit) with its own figures, not as an error' {
        # Ollama stops an answer whose token repeats more than 30 times and ends the stream with no done line.
        Invoke-Simulator $script:Sim model -Method Post -Body @{ name = 'gemma3:1b'; repeatsAfter = 3 } | Out-Null
        try {
            $warn = $null
            $r = Measure-OllamaModel gemma3:1b -Count 2 -Warmup 0 -MaxTokens 64 -WarningVariable warn -WarningAction SilentlyContinue
            $r.Errors | Should -Be 0
            $r.ErrorRate | Should -Be 0
            $r.SuccessCount | Should -Be 2
            $r.ShortRuns | Should -Be 8     # each of 2 runs: the first try and 3 retries
            $r.AbortedRuns | Should -Be 2
            $r.GenerateTpsMedian | Should -BeGreaterThan 0
            $r.TtftMsMedian | Should -BeGreaterThan 0
            $r.Runs | ForEach-Object {
                $_.DoneReason | Should -Be 'aborted'
                $_.GenerateTokens | Should -Be 34
                $_.Retries | Should -Be 3
                $_.PromptTokens | Should -BeNullOrEmpty
            }
            ($warn -join "`n") | Should -Match '8 run\(s\) of gemma3:1b were ended early by the server'
            @(Get-SimulatorLog $script:Sim -Path '/api/generate').Count | Should -Be 8
        }
        finally {
            Invoke-Simulator $script:Sim model -Method Post -Body @{ name = 'gemma3:1b'; repeatsAfter = $null } | Out-Null
        }
    }

    It 'keeps a run whose retry finished, and names what the server could not return' {
        # Ollama 0.30+ ends an answer that is not valid UTF-8 silently: here the first try of the first run sends
        # nothing (HTTP 200, empty body), its retry completes; a model that never answers is an error that says why.
        Invoke-Simulator $script:Sim settings -Method Post -Body @{ version = '0.32.15' } | Out-Null
        Invoke-Simulator $script:Sim faults -Method Post -Body @{ invalidUtf8After = @{ path = '/api/generate'; tokens = 0; times = 1 } } | Out-Null
        $r = Measure-OllamaModel gemma3:1b -Count 2 -Warmup 0 -MaxTokens 6 -WarningAction SilentlyContinue
        $r.Errors | Should -Be 0
        $r.ShortRuns | Should -Be 1
        $r.AbortedRuns | Should -Be 0
        $r.Runs[0].Retries | Should -Be 1
        $r.Runs[0].DoneReason | Should -Be 'length'

        Invoke-Simulator $script:Sim faults -Method Post -Body @{ invalidUtf8After = @{ path = '/api/generate'; tokens = 0; times = 8 } } | Out-Null
        try {
            $err = $null
            $r = Measure-OllamaModel gemma3:1b -Count 2 -Warmup 0 -MaxTokens 6 -ErrorVariable err -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
            $r.ErrorRate | Should -Be 1
            $err.Count | Should -Be 1
            $err[0].FullyQualifiedErrorId | Should -BeLike 'OllamaNoOutput*'
            $err[0].Exception.Message | Should -Match "could not return the model's output"
            $err[0].Exception.Message | Should -Match 'not valid UTF-8'
            $err[0].ErrorDetails.RecommendedAction | Should -Not -Match 'crashed'
        }
        finally {
            Invoke-Simulator $script:Sim reset -Method Post | Out-Null
            Invoke-Simulator $script:Sim settings -Method Post -Body @{ version = ($env:OLLAMA_SIMULATOR_VERSION ?? '0.32.15') } | Out-Null
        }
    }

    It 'keeps the model and the run in view: a bar per model with a short activity, the run first in its status, a child bar per run' {
        $run = Invoke-WithProgress "Measure-OllamaModel gemma3:1b, phi3:mini -Count 2 -MaxTokens 30 -Uri '$($script:Sim.Uri)'"
        $run.Errors | Should -BeNullOrEmpty
        $dot = [char]0xB7
        $model = @($run.Progress | Where-Object ActivityId -EQ 1)
        $runs = @($run.Progress | Where-Object ActivityId -EQ 2)
        @($model | Where-Object { $_.Activity -eq 'Measuring gemma3:1b' -and $_.StatusDescription -eq "Warm-up 1 of 1 (not counted) $dot model 1 of 2 $dot $($script:Sim.Uri)" }) | Should -Not -BeNullOrEmpty
        @($model | Where-Object { $_.Activity -eq 'Measuring phi3:mini' -and $_.StatusDescription -eq "Run 2 of 2 $dot model 2 of 2 $dot $($script:Sim.Uri)" }) | Should -Not -BeNullOrEmpty
        # A console shows an activity up to half its width (40 columns of 80) and cuts the status at its end.
        $model | ForEach-Object { $_.Activity.Length | Should -BeLessOrEqual 40 }
        $runs | ForEach-Object { $_.ParentActivityId | Should -Be 1 }
        @($runs | Where-Object { $_.Activity -eq 'Run 2' -and $_.StatusDescription -like '* of 30 tokens' -and $_.PercentComplete -gt 0 }) | Should -Not -BeNullOrEmpty
        $model[-1].RecordType | Should -Be 'Completed'
        $percents = @($model | Where-Object RecordType -EQ 'Processing' | ForEach-Object PercentComplete)
        for ($i = 1; $i -lt $percents.Count; $i++) { $percents[$i] | Should -BeGreaterOrEqual $percents[$i - 1] }
    }

    It 'binds models from Get-OllamaModel' {
        $names = @(Get-OllamaModel -Name 'gemma*', 'phi3*' | Measure-OllamaModel -Count 1 -Warmup 0 -MaxTokens 3 | ForEach-Object Name)
        ($names | Sort-Object) -join ',' | Should -Be 'gemma3:1b,phi3:mini'
    }

    It 'reports an unknown model and measures the rest' {
        $err = $null
        $r = @(Measure-OllamaModel gemmma3:1b, phi3:mini -Count 1 -Warmup 0 -MaxTokens 3 -ErrorVariable err -ErrorAction SilentlyContinue)
        $r.Name | Should -Be 'phi3:mini'
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'ModelNotFound*'
        $err[0].Exception.Message | Should -Match 'gemma3:1b'
    }

    It 'skips a model that cannot generate text with a warning' {
        $warn = $null
        $r = @(Measure-OllamaModel nomic-embed-text, gemma3:1b -Count 1 -Warmup 0 -MaxTokens 3 -WarningVariable warn -WarningAction SilentlyContinue)
        $r.Name | Should -Be 'gemma3:1b'
        ($warn -join "`n") | Should -Match 'nomic-embed-text:latest cannot generate text'
    }

    It 'frees the model afterwards with -Unload' {
        Measure-OllamaModel gemma3:1b -Count 1 -Warmup 0 -MaxTokens 3 -Unload | Out-Null
        @(Get-OllamaModel -Loaded | Where-Object Name -EQ 'gemma3:1b').Count | Should -Be 0
    }

    It 'exports a flat summary to CSV and the runs to JSON' {
        $r = Measure-OllamaModel gemma3:1b -Count 1 -Warmup 0 -MaxTokens 3
        $csv = @($r | ConvertTo-Csv -NoTypeInformation | ConvertFrom-Csv)
        $csv.Count | Should -Be 1
        $csv[0].Name | Should -Be 'gemma3:1b'
        [double]$csv[0].GenerateTpsMedian | Should -BeGreaterThan 0
        $csv[0].PSObject.Properties.Name | Should -Contain 'TtftMsP95'
        $json = $r | ConvertTo-Json -Depth 3 | ConvertFrom-Json
        $json.Runs.Count | Should -Be 1
        $json.Runs[0].GenerateTokens | Should -Be 3
    }

    It 'rejects a task without a prompt set' {
        { Measure-OllamaModel gemma3:1b -Task Vision -ErrorAction Stop } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException])
    }

    It 'keeps results in the session for Select-OllamaModel' {
        $m = Measure-OllamaModel phi3:mini -Count 2 -MaxTokens 6
        $phi3 = Select-OllamaModel -Task Fast -All -MemoryLimit 64GB | Where-Object Name -EQ 'phi3:mini'
        $phi3.SpeedMeasured | Should -BeTrue
        $phi3.TokensPerSecond | Should -Be $m.GenerateTpsMedian
    }
}
