<#
.SYNOPSIS
    Builds, tests, packages and runs ElixiModels.
.DESCRIPTION
    Build   - compiles the solution and generates the help (Help); the module is then importable straight from
              the repository, with its help: Import-Module ./ElixiModels.psd1
    Help    - generates the MAML help (module/en-US/ElixiModels.dll-Help.xml, not tracked by git) from the pages in
              src/ElixiModels.Help and stages it where Get-Help finds it when the module is imported from the
              repository. A plain `dotnet build` does not: it writes nothing outside bin/ and obj/ (and module/bin).
    Test    - every test: builds the solution with the help and the package (the xUnit suite checks both), checks
              the formatting (dotnet format ElixiModels.sln --verify-no-changes, against .editorconfig; counted as
              one check), runs the xUnit suite (dotnet test, projects one after another) and the Pester suite
              (tests/*.Tests.ps1) on this pwsh with Pester 5.9.1 restored from NuGet into artifacts/tools, against
              the simulator as Ollama 0.32.15 and again as Ollama 0.23.0. Ends with the line "N passed, N failed"
              over all of them; fails when any test or the format check fails, or a suite did not run. .ci/run runs
              exactly this.
    Package - produces artifacts/ElixiModels/<version>/ (a module folder for $env:PSModulePath, with the help) and
              artifacts/nupkg/, and publishes the folder with Publish-PSResource to a temporary local repository
              (artifacts/psresource-repo), which is unregistered afterwards; a failed publish fails the build.
    Run     - the module's main job in this pwsh: imports the module from the repository and runs -Command
              (default: Get-OllamaModel) against -Uri, else $env:OLLAMA_HOST, else 127.0.0.1:11434. When no server
              was named and none answers there, it starts the Ollama simulator as a labelled demo (the label goes
              to stderr). A named server that does not answer is an OllamaUnreachable error and exit code 1.
.EXAMPLE
    dotnet tool restore; dotnet pwsh -NoProfile -File build.ps1 -Task Test
.EXAMPLE
    dotnet pwsh -NoProfile -File build.ps1 -Task Run -Command 'Get-OllamaModel -Available -Task coding'
.EXAMPLE
    ./build.ps1 -Task Package -Configuration Release
#>
[CmdletBinding()]
param(
    [Parameter(Position = 0)]
    [ValidateSet('Build', 'Help', 'Test', 'Package', 'Run')]
    [string[]] $Task = @('Build'),

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug',

    # Run: the Ollama server (as -Uri of the cmdlets); default $env:OLLAMA_HOST, else 127.0.0.1:11434.
    [string] $Uri,

    # Run: the PowerShell to run once the module is imported.
    [string] $Command = 'Get-OllamaModel',

    # Run: use the simulator even when an Ollama answers.
    [switch] $Simulator,

    # Run: stay in an interactive pwsh with the module imported (and the simulator, if one was started).
    [switch] $Interactive
)

$ErrorActionPreference = 'Stop'
$root = $PSScriptRoot
$artifacts = Join-Path $root 'artifacts'
$env:DOTNET_CLI_TELEMETRY_OPTOUT = '1'
$env:DOTNET_NOLOGO = '1'

function Invoke-Native([string] $File, [string[]] $Arguments) {
    & $File @Arguments
    if ($LASTEXITCODE -ne 0) { throw "$File $($Arguments -join ' ') failed with exit code $LASTEXITCODE" }
}

# The command line that starts this same pwsh (the .NET tool runs as 'dotnet pwsh.dll').
function Get-PwshCommand {
    $exe = [Environment]::ProcessPath
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { , @($exe, (Join-Path $PSHOME 'pwsh.dll')) }
    else { , @($exe) }
}

# The build's side effects are asked for, never implied: ElixiHelp=true generates the MAML help (src/ElixiModels.Help),
# ElixiPackage=true stages and packs the module (src/ElixiModels.Package). A plain `dotnet build` does neither.
$helpProperty = '-p:ElixiHelp=true'
$packageProperty = '-p:ElixiPackage=true'

function Invoke-Build {
    Invoke-Native dotnet @('build', (Join-Path $root 'ElixiModels.sln'), '-c', $Configuration, '--nologo', '-v', 'quiet', $helpProperty)
}

function Invoke-Help {
    Invoke-Native dotnet @('build', (Join-Path $root 'src/ElixiModels.Help'), '-c', $Configuration, '--nologo', '-v', 'quiet', $helpProperty)
}

function Invoke-Test {
    $results = Join-Path $artifacts 'test-results'
    Remove-Item $results -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Path $results -Force | Out-Null

    $passed = 0; $failed = 0; $suites = @()
    $solution = Join-Path $root 'ElixiModels.sln'

    # The solution with the help and the package: HelpTests and PackageTests check them.
    Write-Host "== Build ($Configuration, with the help and the package)"
    & dotnet build $solution -c $Configuration --nologo -v quiet $helpProperty $packageProperty
    if ($LASTEXITCODE -ne 0) {
        Write-Host "  build: dotnet build exited with $LASTEXITCODE; no suite ran"
        "0 passed, 1 failed"
        exit 1
    }

    # The formatting as .editorconfig sets it (whitespace, code style, analyzers at warning): one check.
    Write-Host '== Format (dotnet format ElixiModels.sln --verify-no-changes)'
    & dotnet format $solution --verify-no-changes --no-restore -v quiet
    $formatExit = $LASTEXITCODE
    if ($formatExit -eq 0) { $passed++; $suites += 'Format: 1 passed, 0 failed' }
    else { $failed++; $suites += "Format: 0 passed, 1 failed (dotnet format exited with $formatExit; 'dotnet format ElixiModels.sln' fixes what it can)" }

    # xUnit: test projects one after another (the timing tests want quiet cores).
    & dotnet test $solution -c $Configuration --no-build -m:1 --logger trx --results-directory $results
    $xunitExit = $LASTEXITCODE
    $trxFiles = @(Get-ChildItem $results -Filter *.trx)
    $xunitFailed = 0
    foreach ($trx in $trxFiles) {
        $counters = ([xml](Get-Content -Raw $trx.FullName)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $xunitFailed += [int]$counters.failed
        $suites += "$($trx.BaseName): $($counters.passed) passed, $($counters.failed) failed"
    }
    $failed += $xunitFailed
    if ($trxFiles.Count -eq 0) { $failed++; $suites += 'xUnit: no results (the test run failed)' }
    elseif ($xunitExit -ne 0 -and $xunitFailed -eq 0) { $failed++; $suites += "xUnit: dotnet test exited with $xunitExit" }

    # Pester on this pwsh, in a process of its own so the suite starts from a clean session: once against the
    # simulator answering as the current Ollama (0.32.15) and once as Ollama 0.23.0, whose API lists less.
    $pwsh = Get-PwshCommand
    $env:ELIXI_SKIP_BUILD = '1'
    $env:ELIXI_CONFIGURATION = $Configuration
    foreach ($version in @($null, '0.23.0')) {
        $label = if ($version) { "Pester (Ollama $version)" } else { 'Pester (Ollama 0.32.15)' }
        $env:OLLAMA_SIMULATOR_VERSION = $version
        $resultFile = Join-Path $results $(if ($version) { "pester-$version.xml" } else { 'pester.xml' })
        $pesterArgs = @($pwsh | Select-Object -Skip 1) + @('-NoProfile', '-File', (Join-Path $root 'tests/Invoke-Pester.ps1'), '-CI', '-ResultPath', $resultFile)
        Write-Host "== $label"
        & $pwsh[0] @pesterArgs | Tee-Object -Variable pesterOut | Out-Host
        $pesterExit = $LASTEXITCODE
        $line = @($pesterOut | Where-Object { $_ -match '^PESTER: (\d+) passed, (\d+) failed$' })[-1]
        if ($line -and $line -match '^PESTER: (\d+) passed, (\d+) failed$') {
            $passed += [int]$Matches[1]
            $failed += [int]$Matches[2]
            $suites += "${label}: $($Matches[1]) passed, $($Matches[2]) failed"
            if ($pesterExit -ne 0 -and [int]$Matches[2] -eq 0) { $failed++; $suites += "${label}: exited with $pesterExit" }
        }
        else { $failed++; $suites += "${label}: the suite did not run" }
    }
    Remove-Item Env:OLLAMA_SIMULATOR_VERSION -ErrorAction SilentlyContinue

    $suites | ForEach-Object { Write-Host "  $_" }
    # The closing line CI reads: every suite, Pester and the format check included.
    "$passed passed, $failed failed"
    if ($failed -gt 0) { exit 1 }
}

function Invoke-Package {
    # src/ElixiModels.Package stages artifacts/ElixiModels/<version>/ (and a nupkg of the same files), help included.
    Invoke-Native dotnet @('build', (Join-Path $root 'src/ElixiModels.Package'), '-c', $Configuration, '--nologo', '-v', 'quiet', $helpProperty, $packageProperty)
    $version = (Import-PowerShellDataFile (Join-Path $root 'ElixiModels.psd1')).ModuleVersion
    $folder = Join-Path $artifacts "ElixiModels/$version"
    Test-ModuleManifest (Join-Path $folder 'ElixiModels.psd1') | Out-Null

    # Publish through PSResourceGet to a temporary local repository, as a user's Publish-PSResource would.
    Import-Module Microsoft.PowerShell.PSResourceGet
    $repoPath = Join-Path $artifacts 'psresource-repo'
    Remove-Item $repoPath -Recurse -Force -ErrorAction SilentlyContinue
    New-Item -ItemType Directory -Path $repoPath -Force | Out-Null
    $repoName = "ElixiModelsBuild-$([guid]::NewGuid().ToString('N').Substring(0, 8))"
    Register-PSResourceRepository -Name $repoName -Uri $repoPath -Trusted
    try {
        Publish-PSResource -Path $folder -Repository $repoName -SkipDependenciesCheck -ErrorAction Stop
    }
    finally {
        Unregister-PSResourceRepository -Name $repoName
    }
    $nupkg = Join-Path $repoPath "ElixiModels.$version.nupkg"
    if (-not (Test-Path $nupkg)) { throw "Publish-PSResource did not produce $nupkg" }
    Get-Item $folder, $nupkg
}

function Test-Ollama([string] $BaseUri) {
    $client = [System.Net.Http.HttpClient]::new()
    $client.Timeout = [TimeSpan]::FromSeconds(2)
    try { $client.GetAsync("$($BaseUri.TrimEnd('/'))/api/version").GetAwaiter().GetResult().IsSuccessStatusCode }
    catch { $false }
    finally { $client.Dispose() }
}

function Start-Simulator {
    $dll = Join-Path $root "tests/OllamaSimulator/bin/$Configuration/net10.0/OllamaSimulator.dll"
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($a in @($dll, '--port', '0')) { $psi.ArgumentList.Add($a) }
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $line = $process.StandardOutput.ReadLineAsync()
    if ($line.Wait(30000) -and $line.Result -match 'listening on (http://\S+)') {
        return [pscustomobject]@{ Uri = $Matches[1].TrimEnd('/'); Process = $process }
    }
    $process.Kill()
    throw "The Ollama simulator did not start: $($process.StandardError.ReadToEnd())"
}

function Invoke-Run {
    if ($env:ELIXI_SKIP_BUILD -ne '1') {
        $build = & dotnet build (Join-Path $root 'ElixiModels.sln') -c $Configuration --nologo -v quiet $helpProperty 2>&1
        if ($LASTEXITCODE -ne 0) { $build | Out-Host; throw 'dotnet build failed.' }
    }

    # A server counts as named when -Uri or OLLAMA_HOST says which: then it is used as it is, down or not.
    $named = if ($Uri) { $Uri } elseif ($env:OLLAMA_HOST) { $env:OLLAMA_HOST } else { $null }
    $sim = $null
    $target = $named
    if ($Simulator -or (-not $named -and -not (Test-Ollama 'http://127.0.0.1:11434'))) {
        $sim = Start-Simulator
        $target = $sim.Uri
        $why = if ($Simulator) { 'as asked (-Simulator)' } else { 'because no Ollama answered at 127.0.0.1:11434' }
        [Console]::Error.WriteLine("DEMO: started the ElixiModels Ollama simulator at $target $why. Its models are simulated, not real; start Ollama, or pass -Uri, to manage real models.")
    }
    try {
        $manifest = Join-Path $root 'ElixiModels.psd1'
        if ($Interactive) {
            $pwsh = Get-PwshCommand
            $init = "Import-Module '$manifest'"
            if ($target) { $init += "; `$PSDefaultParameterValues['*-Ollama*:Uri'] = '$target'" }
            $init += "; $Command"
            & $pwsh[0] @(@($pwsh | Select-Object -Skip 1) + @('-NoExit', '-NoProfile', '-Command', $init))
            return
        }
        Import-Module $manifest
        if ($target) { $global:PSDefaultParameterValues['*-Ollama*:Uri'] = $target }
        # The module's errors show as they would at a prompt; any error makes the exit code 1.
        $ErrorActionPreference = 'Continue'
        $global:Error.Clear()
        & ([scriptblock]::Create($Command)) | Out-Default
        if ($global:Error.Count -gt 0) { exit 1 }
    }
    finally {
        if ($sim -and -not $sim.Process.HasExited) { $sim.Process.Kill(); $sim.Process.WaitForExit(5000) | Out-Null }
    }
}

foreach ($t in $Task) {
    if ($t -ne 'Run' -and $t -ne 'Test') { Write-Host "== $t ($Configuration)" -ForegroundColor Cyan }
    & "Invoke-$t"
}
