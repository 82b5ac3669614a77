#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
    $script:SavedHistoryPath = $env:ELIXI_HISTORY_PATH
    $script:Module = Join-Path (Get-RepoRoot) 'ElixiModels.psd1'
    function Fresh([string] $Command) { Invoke-FreshElixi $script:Sim $Command }
}

AfterAll {
    $env:ELIXI_HISTORY_PATH = $script:SavedHistoryPath
    Remove-Item Env:ELIXI_NO_HISTORY -ErrorAction SilentlyContinue
    Exit-ElixiTest $script:Sim
}

Describe 'Get-OllamaBenchmark' {
    BeforeEach { $script:File = Enter-HistoryTest }
    AfterEach { Exit-HistoryTest }

    It 'lists a result measured in another process, from the history, with no prompt text saved' {
        Fresh "Measure-OllamaModel phi3:mini -Count 2 -MaxTokens 4 -Prompt 'TOP SECRET PROMPT' | Out-Null"
        $LASTEXITCODE | Should -Be 0
        $r = Get-OllamaBenchmark
        $r.GetType().FullName | Should -Be 'ElixiModels.Models.BenchmarkResult'
        $r.Name | Should -Be 'phi3:mini'
        $r.Source | Should -Be 'History'
        $r.Host | Should -Be $script:Sim.Uri
        $r.Digest | Should -Be (Get-OllamaModel phi3:mini).Digest
        $r.RunCount | Should -Be 2
        $r.GenerateTpsMedian | Should -BeGreaterThan 0
        $r.MachineName | Should -Not -BeNullOrEmpty
        $r.PromptSet | Should -Be 'custom'
        Get-Content $script:File -Raw | Should -Not -Match 'TOP SECRET'
        ($r | Format-List | Out-String -Width 250) | Should -Match 'Source\s+: History'
    }

    It 'keeps what Select-OllamaModel -Benchmark measured in the history, which a later process ranks with (-NoHistory keeps it out)' {
        Fresh "Select-OllamaModel general -Benchmark -NoHistory | Out-Null"
        $LASTEXITCODE | Should -Be 0
        Test-Path $script:File | Should -BeFalse
        Fresh "Select-OllamaModel general -Benchmark | Out-Null"
        $saved = @(Get-OllamaBenchmark)
        $saved.Count | Should -BeGreaterThan 0
        $saved.Source | Sort-Object -Unique | Should -Be 'History'
        $saved | ForEach-Object { $_.IsComplete | Should -BeTrue }
        $best = Fresh "(Select-OllamaModel general).Reason"
        ($best -join ' ') | Should -Match 'benchmark history'
    }

    It 'merges the session with the history, newest first, each result once' {
        Fresh "Measure-OllamaModel gemma3:1b -Count 1 -MaxTokens 4 | Out-Null"
        $mine = Measure-OllamaModel llama3.2:3b -Count 1 -MaxTokens 4
        $all = @(Get-OllamaBenchmark)
        $all.Name | Should -Be @('llama3.2:3b', 'gemma3:1b')
        $all.Source | Should -Be @('Session', 'History')
        $all[0].Runs.Count | Should -Be 1
        @(Get-Content $script:File).Count | Should -Be 2
        @(Get-OllamaBenchmark -SessionOnly).Name | Should -Be 'llama3.2:3b'
    }

    It 'filters by -Name wildcards, piped models, -Uri, -Since and -Latest' {
        Measure-OllamaModel gemma3:1b, phi3:mini -Count 1 -MaxTokens 4 | Out-Null
        $since = Get-Date
        Measure-OllamaModel phi3:mini -Count 1 -MaxTokens 4 | Out-Null
        @(Get-OllamaBenchmark 'phi*').Count | Should -Be 2
        @(Get-OllamaBenchmark phi3 -Latest).Count | Should -Be 1
        @(Get-OllamaBenchmark -Since $since).Name | Should -Be 'phi3:mini'
        @(Get-OllamaBenchmark -Latest).Name | Should -Be @('phi3:mini', 'gemma3:1b')
        @(Get-OllamaModel gemma3:1b | Get-OllamaBenchmark).Name | Should -Be 'gemma3:1b'
        Get-OllamaBenchmark -Uri (Get-DeadUri) | Should -BeNullOrEmpty
    }

    It 'is used by Select-OllamaModel in a fresh process, saying so with the date; not for another digest' {
        Fresh "Measure-OllamaModel gemma3:1b -Count 1 -MaxTokens 4 | Out-Null" | Out-Null
        $reason = Fresh "(Select-OllamaModel -Task fast -All | Where-Object Name -eq 'gemma3:1b').Reason"
        "$reason" | Should -Match 'measured [\d.]+ tokens/s on \d{4}-\d\d-\d\d \d\d:\d\d \(benchmark history'

        # The same model re-pulled under another digest is another build: its old speed is not used.
        (Get-Content $script:File -Raw) -replace '"Digest":"[0-9a-f]+"', '"Digest":"0000000000000000"' | Set-Content $script:File
        $reason = Fresh "(Select-OllamaModel -Task fast -All | Where-Object Name -eq 'gemma3:1b').Reason"
        "$reason" | Should -Match 'not measured in this session'
        "$reason" | Should -Not -Match 'benchmark history'
    }

    It 'skips a damaged record with a warning' {
        Measure-OllamaModel phi3:mini -Count 1 -MaxTokens 4 -NoHistory | Out-Null
        Fresh "Measure-OllamaModel gemma3:1b -Count 1 -MaxTokens 4 | Out-Null"
        Add-Content $script:File '{"schema":1,"Name":"broken'
        $warnings = $null
        $r = @(Get-OllamaBenchmark -WarningVariable warnings -WarningAction SilentlyContinue)
        $r.Name | Should -Be @('gemma3:1b', 'phi3:mini')
        "$warnings" | Should -Match 'Skipped 1 damaged record'
    }

    It 'writes nothing with -NoHistory or $env:ELIXI_NO_HISTORY' {
        Measure-OllamaModel phi3:mini -Count 1 -MaxTokens 4 -NoHistory | Out-Null
        Test-Path $script:File | Should -BeFalse
        $env:ELIXI_NO_HISTORY = '1'
        try {
            Fresh "Measure-OllamaModel gemma3:1b -Count 1 -MaxTokens 4 | Out-Null"
            Test-Path $script:File | Should -BeFalse
        }
        finally { Remove-Item Env:ELIXI_NO_HISTORY }
        (Get-OllamaBenchmark).Name | Should -Be 'phi3:mini'
    }


    It 'loses no record when two processes write at once' {
        $writer = Join-Path $env:ELIXI_HISTORY_PATH 'writer.ps1'
        New-Item -ItemType Directory $env:ELIXI_HISTORY_PATH -Force | Out-Null
        Set-Content $writer @"
param([int] `$Writer)
Import-Module '$script:Module'
`$h = [ElixiModels.History.BenchmarkHistory]::Default()
foreach (`$i in 1..150) {
    `$line = '{{"schema":1,"Name":"phi3:mini","Host":"http://127.0.0.1:1","RunCount":1,"MeasuredAt":"2026-11-29T{0:00}:{1:00}:{2:00}+00:00"}}' -f `$Writer, [int][math]::Floor(`$i / 60), (`$i % 60)
    `$h.AppendAsync([ElixiModels.History.BenchmarkHistory]::FromLine(`$line), [Threading.CancellationToken]::None).GetAwaiter().GetResult() | Out-Null
}
"@
        $exe = [Environment]::ProcessPath
        $pre = if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { @(Join-Path $PSHOME 'pwsh.dll') } else { @() }
        $writers = 1..2 | ForEach-Object {
            $psi = [System.Diagnostics.ProcessStartInfo]::new($exe)
            foreach ($a in @($pre) + @('-NoProfile', '-NonInteractive', '-File', $writer, "$_")) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardError = $true
            $p = [System.Diagnostics.Process]::Start($psi)
            [pscustomobject]@{ Process = $p; Errors = $p.StandardError.ReadToEndAsync() }
        }
        foreach ($w in $writers) {
            $w.Process.WaitForExit(120000) | Should -BeTrue
            $w.Errors.GetAwaiter().GetResult() | Should -BeNullOrEmpty
        }
        $warnings = $null
        @(Get-OllamaBenchmark -Uri 'http://127.0.0.1:1' -WarningVariable warnings).Count | Should -Be 300
        $warnings | Should -BeNullOrEmpty
    }
}
