# Helpers for the Pester suite: build the module and start/stop the Ollama simulator (tests/OllamaSimulator).
Set-StrictMode -Version Latest

$script:RepoRoot = Split-Path -Parent $PSScriptRoot

function Get-RepoRoot { $script:RepoRoot }

function Initialize-ElixiModelsBuild {
    <# Builds the solution, with the help, once per Pester run (skipped when ELIXI_SKIP_BUILD=1, e.g. after build.ps1 -Task Build). #>
    if ($env:ELIXI_SKIP_BUILD -eq '1') { return }
    $configuration = if ($env:ELIXI_CONFIGURATION) { $env:ELIXI_CONFIGURATION } else { 'Debug' }
    $log = & dotnet build (Join-Path $script:RepoRoot 'ElixiModels.sln') -c $configuration --nologo -v quiet -p:ElixiHelp=true 2>&1
    if ($LASTEXITCODE -ne 0) { throw "dotnet build failed:`n$($log -join "`n")" }
    $env:ELIXI_SKIP_BUILD = '1'
}

function Start-OllamaSimulator {
    <#
    .SYNOPSIS
        Starts the Ollama simulator on a free loopback port and returns its base URI and process.
    #>
    [CmdletBinding()]
    param()
    $configuration = if ($env:ELIXI_CONFIGURATION) { $env:ELIXI_CONFIGURATION } else { 'Debug' }
    $dll = Join-Path $script:RepoRoot "tests/OllamaSimulator/bin/$configuration/net10.0/OllamaSimulator.dll"
    if (-not (Test-Path $dll)) { throw "The simulator is not built ($dll). Run: dotnet build ElixiModels.sln" }
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $psi.ArgumentList.Add($dll)
    $psi.ArgumentList.Add('--port')
    $psi.ArgumentList.Add('0')
    $psi.RedirectStandardOutput = $true
    $psi.RedirectStandardError = $true
    $psi.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($psi)
    $deadline = [DateTime]::UtcNow.AddSeconds(30)
    while ([DateTime]::UtcNow -lt $deadline) {
        $line = $process.StandardOutput.ReadLine()
        if ($null -eq $line) { break }
        if ($line -match 'listening on (http://\S+)') {
            return [pscustomobject]@{ Uri = $Matches[1].TrimEnd('/'); Process = $process }
        }
    }
    $process.Kill()
    throw "The simulator did not start: $($process.StandardError.ReadToEnd())"
}

function Stop-OllamaSimulator {
    param([Parameter(Mandatory)] $Simulator)
    if ($Simulator -and -not $Simulator.Process.HasExited) {
        $Simulator.Process.Kill()
        $Simulator.Process.WaitForExit(5000) | Out-Null
    }
}

function Invoke-Simulator {
    <#
    .SYNOPSIS
        Calls the simulator's test-control API (/_simulator/...): faults, reset, request log.
    #>
    param(
        [Parameter(Mandatory)] $Simulator,
        [Parameter(Mandatory)] [string] $Path,
        [string] $Method = 'GET',
        $Body
    )
    $params = @{ Uri = "$($Simulator.Uri)/_simulator/$Path"; Method = $Method }
    if ($null -ne $Body) { $params.Body = ($Body | ConvertTo-Json -Depth 5); $params.ContentType = 'application/json' }
    Invoke-RestMethod @params
}

function Get-SimulatorLog {
    <#
    .SYNOPSIS
        The requests the simulator received (method, path, model), optionally only those whose path starts with -Path.
    #>
    param(
        [Parameter(Mandatory)] $Simulator,
        [string] $Path
    )
    $query = if ($Path) { "log?path=$([uri]::EscapeDataString($Path))" } else { 'log' }
    # Invoke-RestMethod may hand back a JSON array as one object; enumerate it either way.
    Invoke-Simulator -Simulator $Simulator -Path $query | ForEach-Object { $_ }
}

function Get-DeadUri {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    $port = $listener.LocalEndpoint.Port
    $listener.Stop()
    "http://127.0.0.1:$port"
}

function Invoke-FreshPwsh {
    <#
    .SYNOPSIS
        Runs -Command in a new `pwsh -NoProfile` process (the same PowerShell as this one), as a scheduled task would.
        Environment variables are inherited; the output lines are returned.
    #>
    param([Parameter(Mandatory)] [string] $Command)
    $exe = [Environment]::ProcessPath
    $pre = @()
    if ([IO.Path]::GetFileNameWithoutExtension($exe) -eq 'dotnet') { $pre = @(Join-Path $PSHOME 'pwsh.dll') }
    & $exe @pre -NoProfile -NonInteractive -Command $Command
}

function Invoke-WithProgress {
    <#
    .SYNOPSIS
        Runs -Script in a runspace of its own with the module imported and returns its output with its progress
        records, verbose lines, warnings and errors. (A nested pipeline of the caller's runspace hands progress to the
        console host, not to Streams.Progress.) The script names its server itself (-Uri): the caller's
        $PSDefaultParameterValues do not reach this runspace.
    #>
    param([Parameter(Mandatory)] [string] $Script)
    $ps = [powershell]::Create()
    try {
        $manifest = Join-Path $script:RepoRoot 'ElixiModels.psd1'
        $output = $ps.AddScript("Import-Module '$manifest'; $Script").Invoke()
        [pscustomobject]@{
            Output   = @($output)
            Progress = @($ps.Streams.Progress)
            Verbose  = @($ps.Streams.Verbose | ForEach-Object Message)
            Warnings = @($ps.Streams.Warning | ForEach-Object Message)
            Errors   = @($ps.Streams.Error)
        }
    }
    finally { $ps.Dispose() }
}

function Invoke-FreshElixi {
    <#
    .SYNOPSIS
        Runs -Command in a fresh pwsh process, as a scheduled task runs one: the module imported, -Simulator as the
        default server, nothing else from this session. Returns the output lines.
    #>
    param([Parameter(Mandatory)] $Simulator, [Parameter(Mandatory)] [string] $Command)
    $module = Join-Path $script:RepoRoot 'ElixiModels.psd1'
    Invoke-FreshPwsh "`$ErrorActionPreference = 'Stop'; Import-Module '$module'; `$PSDefaultParameterValues['*-Ollama*:Uri'] = '$($Simulator.Uri)'; $Command"
}

function Enter-HistoryTest {
    <#
    .SYNOPSIS
        Gives the test a benchmark history of its own ($env:ELIXI_HISTORY_PATH, a new temp folder) and an empty session
        of results; returns the history file's path. Exit-HistoryTest removes the folder.
    #>
    $env:ELIXI_HISTORY_PATH = Join-Path ([IO.Path]::GetTempPath()) ("elixi-history-" + [guid]::NewGuid().ToString('N'))
    Clear-OllamaBenchmark -Confirm:$false   # this session's results from earlier tests
    Join-Path $env:ELIXI_HISTORY_PATH 'benchmark-history.jsonl'
}

function Exit-HistoryTest {
    Remove-Item $env:ELIXI_HISTORY_PATH -Recurse -Force -ErrorAction SilentlyContinue
}

function Enter-ElixiTest {
    <#
    .SYNOPSIS
        The setup every test file shares: builds once, imports the module from the repository, starts a simulator and
        makes it the default server of every ElixiModels cmdlet in the caller's session. Returns the simulator.
    #>
    [CmdletBinding()]
    param()
    Initialize-ElixiModelsBuild
    Import-Module (Join-Path $script:RepoRoot 'ElixiModels.psd1') -Force -Global
    $simulator = Start-OllamaSimulator
    # $PSCmdlet.SessionState is the caller's: the default is the one its commands see.
    $PSCmdlet.SessionState.PSVariable.GetValue('PSDefaultParameterValues')['*-Ollama*:Uri'] = $simulator.Uri
    $simulator
}

function Exit-ElixiTest {
    <# .SYNOPSIS Undoes Enter-ElixiTest: removes the default server and stops the simulator. #>
    [CmdletBinding()]
    param([Parameter(Mandatory)] $Simulator)
    $PSCmdlet.SessionState.PSVariable.GetValue('PSDefaultParameterValues').Remove('*-Ollama*:Uri')
    Stop-OllamaSimulator $Simulator
}

Export-ModuleMember -Function Get-RepoRoot, Initialize-ElixiModelsBuild, Start-OllamaSimulator, Stop-OllamaSimulator, Invoke-Simulator, Get-SimulatorLog, Get-DeadUri, Invoke-FreshPwsh, Invoke-FreshElixi, Enter-HistoryTest, Exit-HistoryTest, Invoke-WithProgress, Enter-ElixiTest, Exit-ElixiTest

# Every Pester run keeps its benchmark history in a temporary folder, never the user's (Measure-OllamaModel writes it,
# Select-OllamaModel reads it). A test that needs its own history sets $env:ELIXI_HISTORY_PATH itself.
if (-not $env:ELIXI_HISTORY_PATH) {
    $env:ELIXI_HISTORY_PATH = Join-Path ([IO.Path]::GetTempPath()) "elixi-history-pester-$PID"
}
