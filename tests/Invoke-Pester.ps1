<#
.SYNOPSIS
    Runs the Pester suite (tests/*.Tests.ps1) with Pester 5.9.1 and prints "PESTER: N passed, N failed".
.DESCRIPTION
    Pester comes from NuGet into artifacts/tools (tests/Tools/Tools.csproj), never from the PowerShell Gallery or a
    machine-wide install. The solution is built once first unless ELIXI_SKIP_BUILD=1.
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/Invoke-Pester.ps1
.EXAMPLE
    dotnet pwsh -NoProfile -File tests/Invoke-Pester.ps1 -Path tests/Get-OllamaModel.Tests.ps1
#>
[CmdletBinding()]
param(
    # Test files or folders; default: every tests/*.Tests.ps1.
    [string[]] $Path = @($PSScriptRoot),
    # Less output (one line per file and the failures), as CI wants.
    [switch] $CI,
    # Where to write the NUnit XML results.
    [string] $ResultPath
)

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
$config.Run.Path = $Path
$config.Run.PassThru = $true
$config.Output.Verbosity = if ($CI) { 'Normal' } else { 'Detailed' }
if ($CI) { $PSStyle.OutputRendering = 'PlainText' }
if ($ResultPath) {
    $config.TestResult.Enabled = $true
    $config.TestResult.OutputPath = $ResultPath
    $config.TestResult.OutputFormat = 'NUnitXml'
}
$result = Invoke-Pester -Configuration $config
"PESTER: $($result.PassedCount) passed, $($result.FailedCount) failed"
exit ([int]($result.FailedCount -gt 0 -or $result.Result -ne 'Passed'))
