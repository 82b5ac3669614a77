<#
.SYNOPSIS
    Runs the Pester 5 suite (tests/*.Tests.ps1) and prints "PESTER: N passed, N failed".
.EXAMPLE
    pwsh -File tests/Invoke-Pester.ps1
#>
[CmdletBinding()]
param([switch] $CI)

$ErrorActionPreference = 'Stop'
Import-Module Pester -MinimumVersion 5.0
Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
Initialize-ElixiModelsBuild

$config = New-PesterConfiguration
$config.Run.Path = $PSScriptRoot
$config.Run.PassThru = $true
$config.Output.Verbosity = if ($CI) { 'Normal' } else { 'Detailed' }
$result = Invoke-Pester -Configuration $config
"PESTER: $($result.PassedCount) passed, $($result.FailedCount) failed"
exit ([int]($result.FailedCount -gt 0 -or $result.Result -ne 'Passed'))
