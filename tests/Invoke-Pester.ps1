<#
.SYNOPSIS
    Runs the Pester 5 suite (tests/*.Tests.ps1) and prints "PESTER: N passed, N failed".
.EXAMPLE
    pwsh -File tests/Invoke-Pester.ps1
#>
[CmdletBinding()]
param([switch] $CI)

$ErrorActionPreference = 'Stop'
$pester = Join-Path (Split-Path -Parent $PSScriptRoot) 'artifacts/tools/pester/5.9.1/tools/Pester.psd1'
if (-not (Test-Path $pester)) {
    & dotnet restore (Join-Path $PSScriptRoot 'Tools/Tools.csproj') --nologo -v quiet
    if ($LASTEXITCODE -ne 0) { throw 'Could not restore Pester 5.9.1 from NuGet (tests/Tools/Tools.csproj).' }
}
Import-Module $pester -Force
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
Initialize-ElixiModelsBuild

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = if ($CI) { 'Normal' } else { 'Detailed' }
$result = Invoke-Pester -Configuration $config
"PESTER: $($result.PassedCount) passed, $($result.FailedCount) failed"
exit ([int]($result.FailedCount -gt 0 -or $result.Result -ne 'Passed'))
