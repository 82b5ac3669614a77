<#
.SYNOPSIS
    Builds, tests and packages ElixiModels.
.DESCRIPTION
    Build   - compiles the solution; the module is then importable straight from the repository:
              Import-Module ./ElixiModels.psd1
    Test    - runs the xUnit suite (engine-hosted pipelines, simulator contract tests, isolation test) and the
              Pester suite (tests/*.Tests.ps1, needs Pester 5).
    Package - produces artifacts/ElixiModels/<version>/ (a module folder for $env:PSModulePath) and
              artifacts/ElixiModels.<version>.nupkg (accepted by Publish-PSResource / Install-PSResource).
.EXAMPLE
    ./build.ps1 -Task Build, Test
.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$artifacts = Join-Path $root 'artifacts'

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $root 'ElixiModels.sln'), '-c', $Configuration)
}

function Invoke-Test {
    Invoke-Native dotnet @('test', (Join-Path $root 'ElixiModels.sln'), '-c', $Configuration)
    if (Get-Module -ListAvailable Pester | Where-Object Version -GE '5.0') {
        & (Join-Path $root 'tests/Invoke-Pester.ps1')
        if ($LASTEXITCODE -ne 0) { throw 'Pester tests failed.' }
    }
    else {
        Write-Warning 'Pester 5 is not installed (Install-Module Pester -MinimumVersion 5.0); skipped tests/*.Tests.ps1.'
    }
}

function Invoke-Package {
    # src/ElixiModels.Package stages artifacts/ElixiModels/<version>/ and packs artifacts/nupkg/ElixiModels.<version>.nupkg
    # (module files at the package root, PowerShell Gallery tags), as Publish-PSResource would.
    Invoke-Native dotnet @('build', (Join-Path $root 'src/ElixiModels.Package'), '-c', $Configuration)
    $version = (Import-PowerShellDataFile (Join-Path $root 'ElixiModels.psd1')).ModuleVersion
    $folder = Join-Path $artifacts "ElixiModels/$version"
    Test-ModuleManifest (Join-Path $folder 'ElixiModels.psd1') | Out-Null
    if (Get-Command Publish-PSResource -ErrorAction SilentlyContinue) {
        # Prove the package round-trips through PSResourceGet: publish the folder to a local repository.
        $repoPath = Join-Path $artifacts 'psresource-repo'
        New-Item -ItemType Directory -Path $repoPath -Force | Out-Null
        if (-not (Get-PSResourceRepository -Name ElixiModelsLocal -ErrorAction SilentlyContinue)) {
            Register-PSResourceRepository -Name ElixiModelsLocal -Uri $repoPath -Trusted
        }
        Publish-PSResource -Path $folder -Repository ElixiModelsLocal -SkipDependenciesCheck -ErrorAction Continue
    }
    Get-Item $folder, (Join-Path $artifacts "nupkg/ElixiModels.$version.nupkg")
}

foreach ($t in $Task) {
    Write-Host "== $t ($Configuration)" -ForegroundColor Cyan
    & "Invoke-$t"
}
