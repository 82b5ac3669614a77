# Loads the compiled cmdlets. The cmdlet assembly and its dependencies (OllamaSharp, System.Text.Json 10, …) are
# loaded through ElixiModels.Loader: in their own AssemblyLoadContext on PowerShell 7 (so they cannot clash with
# the versions PowerShell 7.4/7.5 ship) and through an AssemblyResolve handler on Windows PowerShell 5.1.
# Only [System.IO.Path]/[System.IO.File] and core cmdlets are used here, so this also runs in minimal hosts.

$binRoot = [System.IO.Path]::Combine($PSScriptRoot, 'bin')
$flavor = if ($PSVersionTable.PSEdition -eq 'Core') { 'Core' } else { 'Desktop' }
$loaderPath = [System.IO.Path]::Combine($binRoot, $flavor, 'ElixiModels.Loader.dll')
$libPath = [System.IO.Path]::Combine($binRoot, 'lib')

if (-not [System.IO.File]::Exists($loaderPath)) {
    $message = "ElixiModels is not built: '$loaderPath' is missing. Run 'dotnet build' (or ./build.ps1) in the repository, or install the packaged module."
    throw [System.IO.FileNotFoundException]::new($message, $loaderPath)
}

$loader = [System.Reflection.Assembly]::LoadFrom($loaderPath).GetType('ElixiModels.Loader.ModuleLoader', $true)
$isReload = $loader::IsInitialized($libPath)
$mainAssembly = $loader::Initialize($libPath)

$innerModule = Import-Module -Assembly $mainAssembly -PassThru:$isReload -ErrorAction Stop
if ($innerModule) {
    # On re-import PowerShell reuses the cached assembly module and does not re-export its cmdlets into this
    # module's scope (PowerShell/PowerShell#20710); add them back explicitly.
    $addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
        'AddExportedCmdlet', [System.Reflection.BindingFlags]'Instance, NonPublic')
    foreach ($command in $innerModule.ExportedCommands.Values) {
        $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $command))
    }
}
