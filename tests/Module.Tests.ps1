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
}
