#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

# Memory planned for a context length: Get-OllamaModel -Detailed, Switch-OllamaModel and Select-OllamaModel -ContextLength.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:Sim = Enter-ElixiTest
}

AfterAll {
    Exit-ElixiTest $script:Sim
}

Describe 'Get-OllamaModel -Detailed -ContextLength' {
    It 'plans weights + KV cache + overhead in bytes, the KV cache growing with the context' {
        $m = Get-OllamaModel llama3.2:3b -Detailed
        $e = $m.EstimatedMemory
        $e.GetType().FullName | Should -Be 'ElixiModels.Models.MemoryEstimate'
        $e.ContextLength | Should -Be 4096
        $e.WeightsBytes | Should -Be $m.SizeBytes
        $e.KvCacheBytes | Should -BeGreaterThan 0
        $e.OverheadBytes | Should -BeGreaterThan 0
        $e.TotalBytes | Should -Be ($e.WeightsBytes + $e.KvCacheBytes + $e.OverheadBytes)
        $e.KvCacheType | Should -Be 'f16'

        $big = (Get-OllamaModel llama3.2:3b -Detailed -ContextLength 32768).EstimatedMemory
        $big.ContextLength | Should -Be 32768
        $big.KvCacheBytes | Should -Be (8 * $e.KvCacheBytes)
    }

    It 'honours OLLAMA_KV_CACHE_TYPE' {
        $f16 = (Get-OllamaModel phi3:mini -Detailed).EstimatedMemory.KvCacheBytes
        $env:OLLAMA_KV_CACHE_TYPE = 'q8_0'
        try { $q8 = (Get-OllamaModel phi3:mini -Detailed).EstimatedMemory }
        finally { Remove-Item Env:OLLAMA_KV_CACHE_TYPE }
        $q8.KvCacheType | Should -Be 'q8_0'
        $q8.KvCacheBytes | Should -Be ($f16 / 2)
    }

    It 'names the largest context that fits this machine for a local server' {
        $m = Get-OllamaModel llama3.2:3b -Detailed
        $m.MaxContextLength | Should -BeGreaterThan 0
        $m.MaxContextLength % 256 | Should -Be 0
        $m.MaxContextLength | Should -BeLessOrEqual $m.ContextLength
        ($m | Format-List | Out-String) | Should -Match 'EstimatedMemory\s*: .* at 4,096 tokens \(weights'
    }

    It 'works in a fresh pwsh process' {
        $module = Join-Path (Get-RepoRoot) 'ElixiModels.psd1'
        $out = Invoke-FreshPwsh "Import-Module '$module'; (Get-OllamaModel gemma3:1b -Detailed -ContextLength 8192 -Uri '$($script:Sim.Uri)').EstimatedMemory.ContextLength"
        $out | Should -Be '8192'
    }
}

Describe 'Switch-OllamaModel -ContextLength' {
    It 'loads with num_ctx and shows the estimate next to what /api/ps reports' {
        $r = Switch-OllamaModel llama3.2:3b -ContextLength 8192
        $r.ContextLength | Should -Be 8192
        (Get-OllamaModel -Loaded).ContextLength | Should -Be 8192   # the server got num_ctx 8192 (its default is 4096)
        $r.MemoryBytes | Should -Be (Get-OllamaModel -Loaded).SizeBytes
        $r.EstimatedMemory.ContextLength | Should -Be 8192
        $r.EstimateErrorPercent | Should -BeOfType [double]
        ($r | Format-List | Out-String) | Should -Match 'EstimatedMemory\s*: .*% of actual'
    }

    It 'reloads an active model asked for another context' {
        Switch-OllamaModel llama3.2:3b -ContextLength 8192 | Out-Null
        $r = Switch-OllamaModel llama3.2:3b -ContextLength 2048
        $r.WasAlreadyActive | Should -BeFalse
        $r.ContextLength | Should -Be 2048
    }
}

Describe 'Select-OllamaModel -ContextLength' {
    It 'filters by the memory planned for that context' {
        $need = (Get-OllamaModel qwen2.5-coder:7b -Detailed -ContextLength 32768).EstimatedMemory.TotalBytes
        $picked = Select-OllamaModel coding -ContextLength 32768 -MemoryLimit ($need - 1) -All -ErrorAction SilentlyContinue
        $picked.Name | Should -Not -Contain 'qwen2.5-coder:7b'
        (Select-OllamaModel coding -ContextLength 32768 -MemoryLimit $need -All).Name | Should -Contain 'qwen2.5-coder:7b'
    }
}
