#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

# Memory planned for a context length: Get-OllamaModel -Detailed and -Available, Switch-OllamaModel and
# Select-OllamaModel -ContextLength.
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

Describe 'Get-OllamaModel -Available -ContextLength' {
    BeforeAll {
        # The simulator is the registry too, so the commands run as a user types them (no -Offline, no -RegistryUri).
        $script:Registry = $env:ELIXI_REGISTRY
        $env:ELIXI_REGISTRY = $script:Sim.Uri
    }

    AfterAll {
        $env:ELIXI_REGISTRY = $script:Registry
    }

    It 'plans a downloadable model from its architecture, the KV cache growing with the context' {
        $m = Get-OllamaModel -Available llama3.1:8b
        $e = $m.EstimatedMemory
        $e.Basis | Should -Be 'Catalog'
        $e.ContextLength | Should -Be 4096
        $e.WeightsBytes | Should -Be $m.SizeBytes
        $e.KvCacheBytes | Should -Be 536870912   # 2 x 32 layers x 8 KV heads x 128 x 4096 tokens x 2 bytes
        $m.RequiredMemoryBytes | Should -Be $e.TotalBytes

        $big = (Get-OllamaModel -Available llama3.1:8b -ContextLength 32768).EstimatedMemory
        $big.KvCacheBytes | Should -Be (8 * $e.KvCacheBytes)
        ((Get-OllamaModel -Available llama3.1:8b -ContextLength 32768) | Format-List | Out-String) | Should -Match 'EstimatedMemory\s*: .* at 32,768 tokens \(weights'
    }

    It 'keeps fewer models that fit at 131072 tokens than at 2048' {
        $budget = (Get-OllamaModelStatus).HostResources.UsableMemoryBytes
        if ($budget -gt 400GB) { Set-ItResult -Skipped -Because 'this machine fits every catalog model at any context'; return }
        $small = @(Get-OllamaModel -Available -FitsMemory -ContextLength 2048)
        $large = @(Get-OllamaModel -Available -FitsMemory -ContextLength 131072)
        $large.Count | Should -BeLessThan $small.Count
        $large.Name | Where-Object { $_ -notin $small.Name } | Should -BeNullOrEmpty
        $large | ForEach-Object { $_.EstimatedMemory.TotalBytes | Should -BeLessOrEqual $budget }
        $dropped = $small | Where-Object Name -notin $large.Name | Select-Object -First 1
        (Get-OllamaModel -Available $dropped.Name -ContextLength 131072).FitsMemory | Should -BeFalse
    }

    It 'works in a fresh pwsh process' {
        $module = Join-Path (Get-RepoRoot) 'ElixiModels.psd1'
        $out = Invoke-FreshPwsh "Import-Module '$module'; (Get-OllamaModel -Available qwen2.5-coder:7b -ContextLength 32768 -Uri '$($script:Sim.Uri)').EstimatedMemory.KvCacheBytes"
        $out | Should -Be '1879048192'
    }
}

Describe 'EstimatedMemory split over GPU VRAM and system RAM' -Skip:$IsWindows {
    # A fresh pwsh process (as a scheduled task runs) whose PATH starts with stand-in GPU tools: the module reads GPUs
    # through nvidia-smi and rocm-smi, so this is how it meets a machine with (or without) one.
    BeforeAll {
        $script:Tools = Join-Path ([IO.Path]::GetTempPath()) "elixi-gpu-tools-$PID"
        New-Item -ItemType Directory -Path $script:Tools -Force | Out-Null
        $script:Path = $env:PATH
        $script:Plan = @'
Import-Module '{0}'
$PSDefaultParameterValues['*-Ollama*:Uri'] = '{1}'
@(Get-OllamaModel -Available llama3.2:1b, llama3.1:8b -Offline -ContextLength 32768) + @(Get-OllamaModel llama3.2:3b -Detailed -ContextLength 8192) |
    ForEach-Object {{ [pscustomobject]@{{ Name = $_.Name; Fits = $_.FitsMemory; Memory = $_.EstimatedMemory; Shown = ($_ | Format-List | Out-String -Width 200) }} }} |
    ConvertTo-Json -Depth 3 -Compress -EnumsAsStrings
'@ -f (Join-Path (Get-RepoRoot) 'ElixiModels.psd1'), $script:Sim.Uri

        function script:Invoke-WithGpuTools([string] $NvidiaSmi) {
            Set-Content -Path (Join-Path $script:Tools 'nvidia-smi') -Value "#!/bin/sh`n$NvidiaSmi"
            Set-Content -Path (Join-Path $script:Tools 'rocm-smi') -Value "#!/bin/sh`nexit 1"
            & chmod +x (Join-Path $script:Tools 'nvidia-smi') (Join-Path $script:Tools 'rocm-smi')
            $env:PATH = $script:Tools + [IO.Path]::PathSeparator + $script:Path
            try { $out = Invoke-FreshPwsh $script:Plan } finally { $env:PATH = $script:Path }
            $byName = @{}
            ($out -join "`n") | ConvertFrom-Json | ForEach-Object { $byName[$_.Name] = $_ }
            $byName
        }
    }

    AfterAll {
        $env:PATH = $script:Path
        Remove-Item -Path $script:Tools -Recurse -Force -ErrorAction SilentlyContinue
    }

    It 'offloads the layers that fit a GPU with 7.5 GiB free and keeps the rest in RAM' {
        $m = Invoke-WithGpuTools "echo 'Stand-in RTX 4060, 8192, 512, 7680, 0'"

        $small = $m['llama3.2:1b'].Memory          # 4.3 GiB at 32K tokens: all of it on the GPU
        $small.TotalLayers | Should -Be 17
        $small.GpuLayers | Should -Be 17
        $small.GpuBytes | Should -Be $small.TotalBytes
        $small.CpuBytes | Should -Be 0

        $big = $m['llama3.1:8b'].Memory            # 11 GiB at 32K tokens: split
        $big.TotalLayers | Should -Be 33
        $big.GpuLayers | Should -BeGreaterThan 0
        $big.GpuLayers | Should -BeLessThan 33
        $big.GpuBytes | Should -BeLessOrEqual (7680MB - 1GB)
        $big.CpuBytes | Should -Be ($big.TotalBytes - $big.GpuBytes)
        $m['llama3.1:8b'].Shown | Should -Match "Placement\s*: $($big.GpuLayers)/33 layers on GPU: .* VRAM \+ .* RAM"

        $installed = $m['llama3.2:3b'].Memory       # an installed model is placed the same way
        $installed.Basis | Should -Be 'ModelInfo'
        $installed.GpuLayers | Should -Be $installed.TotalLayers
    }

    It 'keeps everything in RAM without a GPU' {
        $m = Invoke-WithGpuTools 'exit 1'
        foreach ($name in 'llama3.2:1b', 'llama3.1:8b') {
            $e = $m[$name].Memory
            $e.GpuLayers | Should -Be 0
            $e.GpuBytes | Should -Be 0
            $e.CpuBytes | Should -Be $e.TotalBytes
            $m[$name].Shown | Should -Match 'Placement\s*: on CPU: '
        }
    }
}
