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
    Invoke-Build
    $manifest = Import-PowerShellDataFile (Join-Path $root 'ElixiModels.psd1')
    $version = $manifest.ModuleVersion
    $out = Join-Path $artifacts "ElixiModels/$version"
    if (Test-Path $out) { Remove-Item $out -Recurse -Force }
    New-Item -ItemType Directory -Path $out | Out-Null

    Copy-Item (Join-Path $root 'module/*') $out -Recurse -Exclude 'bin'
    foreach ($flavor in 'Core', 'Desktop', 'lib') {
        $target = Join-Path $out "bin/$flavor"
        New-Item -ItemType Directory -Path $target -Force | Out-Null
        Copy-Item (Join-Path $root "module/bin/$flavor/*.dll") $target
    }
    Copy-Item (Join-Path $root 'LICENSE') $out -ErrorAction SilentlyContinue

    # In the package the psm1 and ps1xml files sit next to the manifest.
    $psd1 = Get-Content (Join-Path $root 'ElixiModels.psd1') -Raw
    $psd1 = $psd1 -replace "'module/", "'"
    Set-Content -Path (Join-Path $out 'ElixiModels.psd1') -Value $psd1 -Encoding utf8
    Test-ModuleManifest (Join-Path $out 'ElixiModels.psd1') | Out-Null

    $nupkgDir = Join-Path $artifacts 'nupkg'
    New-Item -ItemType Directory -Path $nupkgDir -Force | Out-Null
    if (Get-Command Publish-PSResource -ErrorAction SilentlyContinue) {
        $repoName = 'ElixiModelsLocal'
        if (-not (Get-PSResourceRepository -Name $repoName -ErrorAction SilentlyContinue)) {
            Register-PSResourceRepository -Name $repoName -Uri $nupkgDir -Trusted
        }
        Publish-PSResource -Path $out -Repository $repoName
    }
    else {
        Write-Warning 'Microsoft.PowerShell.PSResourceGet is not installed; only the module folder was produced.'
    }
    Get-ChildItem $nupkgDir -Filter *.nupkg
    Get-Item $out
}

foreach ($t in $Task) {
    Write-Host "== $t ($Configuration)" -ForegroundColor Cyan
    & "Invoke-$t"
}
