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
}

