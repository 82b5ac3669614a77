#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Select-OllamaModel' {
    It 'chooses <Winner> for <Task>' -ForEach @(
        @{ Task = 'coding'; Winner = 'qwen2.5-coder:7b'; Because = 'fill-in-the-middle' }
        @{ Task = 'vision'; Winner = 'llava:7b'; Because = "'vision' capability" }
        @{ Task = 'embedding'; Winner = 'nomic-embed-text:latest'; Because = "'embedding' capability" }
        @{ Task = 'analysis'; Winner = 'deepseek-r1:8b'; Because = "'thinking' capability" }
        @{ Task = 'fast'; Winner = 'gemma3:1b'; Because = 'is small' }
        @{ Task = 'tools'; Winner = 'llama3.2:3b'; Because = "'tools' capability" }
    ) {
        $chosen = @(Select-OllamaModel -Task $Task -MemoryLimit 64GB)
        $chosen.Count | Should -Be 1
        $chosen[0].GetType().FullName | Should -Be 'ElixiModels.Models.ModelSelection'
        $chosen[0].Name | Should -Be $Winner
        $chosen[0].SelectionRank | Should -Be 1
        $chosen[0].Score | Should -BeGreaterThan 0
        $chosen[0].Reason | Should -BeLike "*$Because*"
    }

    It 'refuses -NoHistory without -Benchmark instead of silently doing nothing' {
        { Select-OllamaModel general -NoHistory -ErrorAction Stop } | Should -Throw -ErrorId 'NoHistoryNeedsBenchmark*'
    }

    It 'rejects an invalid task, listing the valid ones' {
        $e = { Select-OllamaModel -Task poetry -ErrorAction Stop } | Should -Throw -ExceptionType ([System.Management.Automation.ParameterBindingException]) -PassThru
        foreach ($task in 'General', 'Coding', 'Analysis', 'Creative', 'Fast', 'Vision', 'Embedding', 'Tools') {
            $e.Exception.Message | Should -Match $task
        }
    }

    It 'gives the ranked list with -Top and -All' {
        $top = @(Select-OllamaModel coding -Top 3 -MemoryLimit 64GB)
        $top.SelectionRank | Should -Be @(1, 2, 3)
        (Select-OllamaModel coding -Top 3 -MemoryLimit 64GB).SelectionRank | Should -Be @(1, 2, 3)
        (Select-OllamaModel coding -Top 3 -MemoryLimit 64GB | Sort-Object SelectionRank -Descending)[0].SelectionRank | Should -Be 3
        $top[0].Score | Should -BeGreaterOrEqual $top[1].Score
        $all = @(Select-OllamaModel coding -All -MemoryLimit 64GB)
        $all.Count | Should -Be 6
        $all.Name | Should -Not -Contain 'nomic-embed-text:latest'
    }

    It 'chooses among piped names only' {
        $names = @('phi3:mini', 'gemma3' | Select-OllamaModel general -All -MemoryLimit 64GB | ForEach-Object Name)
        ($names | Sort-Object) -join ',' | Should -Be 'gemma3:1b,phi3:mini'
    }

    It 'keeps only long-context models with -MinContext' {
        $names = @(Select-OllamaModel general -MinContext 100000 -All -MemoryLimit 64GB | ForEach-Object Name)
        ($names | Sort-Object) -join ',' | Should -Be 'deepseek-r1:8b,llama3.2:3b,phi3:mini'
    }

    It 'explains what each filter removed when nothing fits' {
        $err = $null
        'gemma3:1b', 'phi3:mini' | Select-OllamaModel vision -MemoryLimit 64GB -ErrorVariable err -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
        $err.Count | Should -Be 1
        $err[0].FullyQualifiedErrorId | Should -BeLike 'NoSuitableModel*'
        $err[0].Exception.Message | Should -Match "no 'vision' capability"
        $err[0].Exception.Message | Should -Match 'gemma3:1b \(completion\)'
        $err[0].ErrorDetails.RecommendedAction | Should -Match 'Install'
    }

    It 'uses measured speeds: Get-OllamaModel | Measure-OllamaModel | Select-OllamaModel' {
        $chosen = Get-OllamaModel | Measure-OllamaModel -Count 3 -MaxTokens 6 -WarningAction SilentlyContinue | Select-OllamaModel -Task fast
        $chosen.Name | Should -Be 'gemma3:1b'
        $chosen.SpeedMeasured | Should -BeTrue
        $chosen.Reason | Should -Match 'measured'
    }

    It 'pipes the choice into Switch-OllamaModel' {
        $chosen = $null
        $switched = Get-OllamaModel | Measure-OllamaModel -Count 3 -MaxTokens 6 -WarningAction SilentlyContinue |
            Select-OllamaModel -Task fast -OutVariable chosen | Switch-OllamaModel -ErrorAction Stop
        $chosen.Name | Should -Be 'gemma3:1b'
        $switched.CurrentModel | Should -Be 'gemma3:1b'
        (Get-OllamaModel -Loaded).Name | Should -Contain 'gemma3:1b'
    }

    It 'keeps Rank, the former name, on one selection' {
        (Select-OllamaModel coding -MemoryLimit 64GB).Rank | Should -Be 1
    }

    It 'applies an explicit -MemoryLimit to loaded models too' {
        Switch-OllamaModel llama3.2:3b | Out-Null
        $names = @(Select-OllamaModel general -All -MemoryLimit 1GB -ErrorAction SilentlyContinue | ForEach-Object Name)
        $names | Should -Not -Contain 'llama3.2:3b'
        $names | Should -Contain 'gemma3:1b'
        @(Select-OllamaModel general -All -MemoryLimit 64GB | ForEach-Object Name) | Should -Contain 'llama3.2:3b'
    }
}

Describe 'Select-OllamaModel ranking downloadable models' {
    It 'ranks the catalog for a task when Get-OllamaModel -Available is piped in' {
        $err = $null
        $picked = @(Get-OllamaModel -Available -Offline | Select-OllamaModel -Task coding -Top 3 -ErrorVariable err)
        $err | Should -BeNullOrEmpty
        $picked.Count | Should -Be 3
        $picked[0].Rank | Should -Be 1
        $picked[0].Reason | Should -Match 'Suits coding'
        $installed = (Get-OllamaModel).Name
        foreach ($p in $picked) {
            if ($installed -contains $p.Name) { $p.Reason | Should -Match 'Installed already\.$' }
            else { $p.Reason | Should -Match 'Not installed: a .* download \(Install-OllamaModel -Name ' }
        }
        @($picked | Where-Object Reason -Match 'Not installed').Count | Should -BeGreaterThan 0
    }

    It 'leaves out what does not fit the memory' {
        $small = @(Get-OllamaModel -Available -Offline | Select-OllamaModel -Task general -All -MemoryLimit 1GB)
        $small | ForEach-Object { $_.EstimatedMemoryBytes | Should -BeLessOrEqual 1GB }
    }
}
