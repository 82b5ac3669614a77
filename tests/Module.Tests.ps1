#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Initialize-ElixiModelsBuild
    $script:Manifest = Join-Path (Get-RepoRoot) 'ElixiModels.psd1'
    Import-Module $script:Manifest -Force
}

Describe 'ElixiModels module' {
    It 'has a valid manifest' {
        $info = Test-ModuleManifest -Path $script:Manifest
        $info.Name | Should -Be 'ElixiModels'
        $info.CompatiblePSEditions | Should -Contain 'Core'
        $info.CompatiblePSEditions | Should -Contain 'Desktop'
    }

    It 'exports exactly the cmdlets the manifest lists' {
        $listed = (Import-PowerShellDataFile $script:Manifest).CmdletsToExport | Sort-Object
        (Get-Command -Module ElixiModels | ForEach-Object Name | Sort-Object) | Should -Be $listed
    }

    It 'declares an output type on every cmdlet' {
        Get-Command -Module ElixiModels | ForEach-Object { $_.OutputType | Should -Not -BeNullOrEmpty -Because $_.Name }
    }

    It 'loads its dependencies in its own load context on PowerShell 7' -Skip:($PSVersionTable.PSEdition -ne 'Core') {
        $asm = (Get-Command Get-OllamaModel).ImplementingType.Assembly
        [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($asm).Name | Should -Be 'ElixiModels'
    }

    It 'survives Import-Module -Force' {
        Import-Module $script:Manifest -Force
        (Get-Command -Module ElixiModels).Count | Should -BeGreaterThan 0
    }

    Context 'Parameter sets: a $PSDefaultParameterValues entry never breaks a cmdlet''s default set' {
        BeforeDiscovery {
            Import-Module (Join-Path (Split-Path -Parent $PSScriptRoot) 'ElixiModels.psd1') -Force
            $script:Cmdlets = @(Get-Command -Module ElixiModels | Where-Object { $_.ParameterSets.Count -gt 1 } |
                ForEach-Object { @{ Command = $_.Name } })
        }

        It '<Command>: every parameter outside the default set is a mandatory mode switch' -ForEach $script:Cmdlets {
            $cmd = Get-Command $Command
            $default = $cmd.ParameterSets | Where-Object IsDefault
            $default | Should -Not -BeNullOrEmpty -Because "$Command has parameter sets, so it needs a default one"
            $inDefault = $default.Parameters.Name
            foreach ($set in $cmd.ParameterSets | Where-Object { -not $_.IsDefault }) {
                foreach ($p in $set.Parameters | Where-Object Name -NotIn $inDefault) {
                    # Only a parameter that selects its set (mandatory there) may be missing from the default set: a
                    # default for it is what the user asks for; any other would make the plain command ambiguous.
                    $p.IsMandatory | Should -BeTrue -Because "a default for -$($p.Name) of $Command ($($set.Name)) must not move the plain command out of $($default.Name)"
                }
            }
        }
    }

    Context 'Help as Get-Help shows it' {
        It 'finds about_ElixiModels and about_ElixiModels_Lifecycle when imported from the repository' {
            (Get-Help about_ElixiModels | Out-String) | Should -Match 'Quantities are numbers'
            (Get-Help about_ElixiModels_Lifecycle | Out-String) | Should -Match 'Install-OllamaModel'
        }

        It 'prints parameter types as users type them' {
            $syntax = Get-Help Get-OllamaModel | Out-String -Width 200
            $syntax | Should -Match '-Task <ModelTask>'
            (Get-Help Get-OllamaModel).Synopsis | Should -Match 'Lists the models'
            $syntax | Should -Not -Match 'Nullable'
            (Get-Help Switch-OllamaModel | Out-String -Width 200) | Should -Not -Match 'Nullable'
        }

        It '<Command> has a HelpUri, documents -WhatIf/-Confirm when it supports them, hides -PipedHost, offers only the server parameters it uses' -ForEach @(
            Get-Command -Module ElixiModels | ForEach-Object { @{ Command = $_.Name } }
        ) {
            $cmd = Get-Command $Command
            $cmd.HelpUri | Should -Match '^https://'
            $documented = @((Get-Help $Command -Full).parameters.parameter.name)
            $documented | Should -Not -Contain 'PipedHost'
            # A parameter a command cannot use is not offered: the cache cmdlets ask no server, the benchmark ones filter by -Uri only.
            $serverParameters = @($cmd.Parameters.Keys | Where-Object { $_ -in 'Uri', 'TimeoutSec' })
            $expected = switch -Wildcard ($Command) { '*-OllamaCache' { @() } '*-OllamaBenchmark' { @('Uri') } default { @('Uri', 'TimeoutSec') } }
            $serverParameters | Sort-Object | Should -Be ($expected | Sort-Object)
            @($documented | Where-Object { $_ -in 'Uri', 'TimeoutSec' }) | Sort-Object | Should -Be ($expected | Sort-Object)
            ((Get-Help $Command -Full) | Out-String -Width 300) | Should -Not -MatchExactly 'Not used:'
            if ($cmd.Parameters.ContainsKey('WhatIf')) {
                $documented | Should -Contain 'WhatIf'
                $documented | Should -Contain 'Confirm'
                (Get-Help $Command | Out-String -Width 300) | Should -Match '\[-WhatIf\]'
            }
        }
    }

    Context 'Default tables fit an 80-column console' {
        BeforeAll {
            Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
            $script:Sim = Start-OllamaSimulator
            $PSDefaultParameterValues['*-Ollama*:Uri'] = $script:Sim.Uri
        }

        AfterAll {
            $PSDefaultParameterValues.Remove('*-Ollama*:Uri')
            Stop-OllamaSimulator $script:Sim
        }

        It '<Title> fits in 80 columns without wrapping or cutting a column' -ForEach @(
            @{ Title = 'Get-OllamaModel'; Script = { Get-OllamaModel } }
            @{ Title = 'Get-OllamaModel -Available'; Script = { Get-OllamaModel -Available -Offline -Task coding } }
            @{ Title = 'Get-OllamaModel -Loaded'; Script = { Switch-OllamaModel gemma3:1b | Out-Null; Get-OllamaModel -Loaded } }
            @{ Title = 'Select-OllamaModel -Top 3'; Script = { Select-OllamaModel general -Top 3 -MemoryLimit 64GB } }
            @{ Title = 'Switch-OllamaModel'; Script = { Switch-OllamaModel phi3:mini } }
            @{ Title = 'Measure-OllamaModel'; Script = { Measure-OllamaModel gemma3:1b -Count 1 -Warmup 0 -MaxTokens 4 } }
            @{ Title = 'Get-OllamaModelStatus | Format-Table'; Script = { Get-OllamaModelStatus | Format-Table } }
            @{ Title = 'Get-OllamaBenchmark'; Script = { Measure-OllamaModel qwen2.5-coder:7b, llava:7b -Count 1 -Warmup 0 -MaxTokens 4 | Out-Null; Get-OllamaBenchmark -Name qwen2.5-coder:7b, llava:7b } }
        ) {
            $lines = @((& $Script | Out-String -Width 80) -split "`r?`n" | Where-Object { $_.Trim() })
            $header = $lines | Where-Object { $_ -match '^-+(\s+-+)*\s*$' } | Select-Object -First 1
            $header | Should -Not -BeNullOrEmpty
            $at = [array]::IndexOf($lines, $header)
            # One header line above the dashes: a header wrapped onto two lines means a column was squeezed.
            if ($at -ge 2) { $lines[$at - 2] | Should -Match '^\s*Host: ' -Because "the header of $Title must fit on one line:`n$($lines -join "`n")" }
            $lines | Where-Object { $_ -match '\u2026' } | Should -BeNullOrEmpty -Because "no column of $Title should be cut:`n$($lines -join "`n")"
        }
    }

    Context 'Help examples show what the commands print now' {
        BeforeAll {
            Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
            $script:Sim = Start-OllamaSimulator
            $PSDefaultParameterValues['*-Ollama*:Uri'] = $script:Sim.Uri

            # The column labels of the first table in a text: the line above the dashes, cut where the dashes are.
            function Get-TableColumns([string] $Text) {
                $lines = $Text -split "`r?`n"
                for ($i = 1; $i -lt $lines.Count; $i++) {
                    if ($lines[$i] -match '^-+( +-+)*\s*$') {
                        return @([regex]::Matches($lines[$i], '-+') | ForEach-Object {
                            $lines[$i - 1].PadRight($_.Index + $_.Length).Substring($_.Index, $_.Length).Trim()
                        })
                    }
                }
            }
        }

        AfterAll {
            $PSDefaultParameterValues.Remove('*-Ollama*:Uri')
            Stop-OllamaSimulator $script:Sim
        }

        It '<Command> example <Number> shows the columns the command prints' -ForEach @(
            @{ Command = 'Get-OllamaModel'; Number = 1 }
            @{ Command = 'Get-OllamaModel'; Number = 3; Setup = { Switch-OllamaModel llama3.2:3b | Out-Null } }
            @{ Command = 'Get-OllamaModel'; Number = 5 }
            @{ Command = 'Switch-OllamaModel'; Number = 1; Setup = { Switch-OllamaModel llama3.2:3b | Out-Null } }
            @{ Command = 'Measure-OllamaModel'; Number = 3 }
            @{ Command = 'Get-OllamaBenchmark'; Number = 1 }
            @{ Command = 'Select-OllamaModel'; Number = 1 }
            @{ Command = 'Stop-OllamaModel'; Number = 2; Setup = { Switch-OllamaModel phi3:mini -KeepPrevious | Out-Null } }
        ) {
            $example = @((Get-Help $Command).examples.example)[$Number - 1]
            $shown = Get-TableColumns (($example.remarks | ForEach-Object Text) -join "`n")
            $shown | Should -Not -BeNullOrEmpty -Because "example $Number of $Command shows a table"
            if ($Setup) { & $Setup }
            $printed = Get-TableColumns (& ([scriptblock]::Create($example.code)) | Out-String -Width 80)
            $shown -join ' | ' | Should -Be ($printed -join ' | ')
        }
    }
}

Describe 'The main-job command (build.ps1 -Task Run)' {
    BeforeAll {
        $script:Sim = Start-OllamaSimulator
        $script:Build = Join-Path (Get-RepoRoot) 'build.ps1'

        # Runs build.ps1 -Task Run in a fresh pwsh, as the README's command does; stdout and stderr apart.
        function Invoke-MainJob([string[]] $Arguments, [hashtable] $Environment = @{}) {
            $pwsh = [Environment]::ProcessPath
            $psi = [System.Diagnostics.ProcessStartInfo]::new($pwsh)
            if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { $psi.ArgumentList.Add((Join-Path $PSHOME 'pwsh.dll')) }
            foreach ($a in @('-NoProfile', '-File', $script:Build, '-Task', 'Run') + $Arguments) { $psi.ArgumentList.Add($a) }
            $psi.RedirectStandardOutput = $true
            $psi.RedirectStandardError = $true
            $psi.UseShellExecute = $false
            $psi.Environment['ELIXI_SKIP_BUILD'] = '1'
            $psi.Environment['NO_COLOR'] = '1'
            $psi.Environment.Remove('OLLAMA_HOST') | Out-Null
            foreach ($k in $Environment.Keys) { $psi.Environment[$k] = $Environment[$k] }
            $p = [System.Diagnostics.Process]::Start($psi)
            $out = $p.StandardOutput.ReadToEndAsync()
            $err = $p.StandardError.ReadToEndAsync()
            if (-not $p.WaitForExit(120000)) { $p.Kill(); throw 'build.ps1 -Task Run did not end within 2 minutes' }
            [pscustomobject]@{ ExitCode = $p.ExitCode; Out = $out.Result; Err = $err.Result }
        }
    }

    AfterAll { Stop-OllamaSimulator $script:Sim }

    It 'lists the models of the server given with -Uri, with no demo label' {
        $run = Invoke-MainJob @('-Uri', $script:Sim.Uri)
        $run.ExitCode | Should -Be 0 -Because $run.Err
        $run.Out | Should -Match 'llama3\.2:3b'
        $run.Out | Should -Match "Host: $([regex]::Escape($script:Sim.Uri))"
        $run.Err | Should -Not -Match 'DEMO'
    }

    It 'runs the pipeline given with -Command against OLLAMA_HOST' {
        $run = Invoke-MainJob @('-Command', 'Get-OllamaModel -Name phi3* | ForEach-Object Name') @{ OLLAMA_HOST = $script:Sim.Uri }
        $run.ExitCode | Should -Be 0 -Because $run.Err
        $run.Out.Trim() | Should -Be 'phi3:mini'
    }

    It 'fails with OllamaUnreachable and exit code 1 when the named server <Named> does not answer' -TestCases @(
        @{ Named = '-Uri' }
        @{ Named = 'OLLAMA_HOST' }
    ) {
        $dead = Get-DeadUri
        $run = if ($Named -eq '-Uri') { Invoke-MainJob @('-Uri', $dead) } else { Invoke-MainJob @() @{ OLLAMA_HOST = $dead } }
        $run.ExitCode | Should -Be 1
        "$($run.Out)$($run.Err)" | Should -Match ([regex]::Escape($dead.Replace('http://', '')))
        $run.Err | Should -Match 'Get-OllamaModel: Cannot reach Ollama at'
        $run.Err | Should -Not -Match 'DEMO'
        $run.Out | Should -Not -Match 'llama3\.2:3b'
    }

    It 'starts the simulator as a labelled demo when no server was named and none answers' -Skip:(Test-Connection -TargetName 127.0.0.1 -TcpPort 11434 -TimeoutSeconds 1 -Quiet) {
        $run = Invoke-MainJob @()
        $run.ExitCode | Should -Be 0 -Because $run.Err
        $run.Err | Should -Match 'DEMO: started the ElixiModels Ollama simulator'
        $run.Out | Should -Not -Match 'DEMO'
        $run.Out | Should -Match 'llama3\.2:3b'
    }
}

Describe 'The package (build.ps1 -Task Package) through PSResourceGet' {
    It 'publishes to a local repository, installs with Install-PSResource and imports by name' {
        $sim = Start-OllamaSimulator
        try {
            & (Join-Path (Get-RepoRoot) 'build.ps1') -Task Package | Out-Null
            $repo = Join-Path (Get-RepoRoot) 'artifacts/psresource-repo'
            (Get-ChildItem $repo -Filter 'ElixiModels.*.nupkg').Count | Should -Be 1
            # A scratch user: PSResourceGet keeps its repositories and CurrentUser modules under the home folder.
            $scratch = Join-Path $TestDrive 'home'
            New-Item -ItemType Directory $scratch | Out-Null
            $script = @"
`$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name ElixiScratch -Uri '$repo' -Trusted
Install-PSResource -Name ElixiModels -Repository ElixiScratch -Scope CurrentUser -TrustRepository
Unregister-PSResourceRepository -Name ElixiScratch
Import-Module ElixiModels
(Get-Module ElixiModels).ModuleBase
@(Get-OllamaModel -Uri '$($sim.Uri)').Count
"@
            $pwsh = [Environment]::ProcessPath
            [string[]] $pre = if ([IO.Path]::GetFileNameWithoutExtension($pwsh) -eq 'dotnet') { Join-Path $PSHOME 'pwsh.dll' } else { @() }
            $saved = $env:HOME
            $env:HOME = $scratch
            try { $out = & $pwsh @pre -NoProfile -NonInteractive -Command $script 2>&1 }
            finally { $env:HOME = $saved }
            $LASTEXITCODE | Should -Be 0 -Because ($out -join "`n")
            $out[-2] | Should -BeLike "$scratch*ElixiModels*"
            [int]$out[-1] | Should -Be 7
        }
        finally { Stop-OllamaSimulator $sim }
    }
}
