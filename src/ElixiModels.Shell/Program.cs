using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http;
using System.Threading.Tasks;
using ElixiModels.Shell;
using OllamaSimulator;

// elixi: run ElixiModels commands without pwsh installed.
//   dotnet run --project src/ElixiModels.Shell                  -> Get-OllamaModel
//   dotnet run --project src/ElixiModels.Shell -- "<commands>"  -> any PowerShell using the module's cmdlets
//   options: --uri <ollama>  --simulator (always use the simulator)  --no-simulator  --interactive
var options = new List<string>(args);
bool forceSim = Take(options, "--simulator");
bool noSim = Take(options, "--no-simulator");
bool interactive = Take(options, "--interactive") | Take(options, "-i");
string? uri = TakeValue(options, "--uri");
string command = options.Count > 0 ? string.Join(" ", options) : "Get-OllamaModel";

string? manifest = FindManifest();
if (manifest is null)
{
    Console.Error.WriteLine("Cannot find ElixiModels.psd1 above " + AppContext.BaseDirectory + "; run this from the repository.");
    return 2;
}

if (uri is not null)
{
    Environment.SetEnvironmentVariable("OLLAMA_HOST", uri);
}

SimulatorServer? simulator = null;
string target = Environment.GetEnvironmentVariable("OLLAMA_HOST") is { Length: > 0 } h ? h : "127.0.0.1:11434";
if (forceSim || (!noSim && !await OllamaAnswersAsync(target)))
{
    simulator = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
    string simHost = $"{simulator.BaseUri.Host}:{simulator.BaseUri.Port}";
    Environment.SetEnvironmentVariable("OLLAMA_HOST", simHost);
    Console.ForegroundColor = ConsoleColor.Yellow;
    Console.WriteLine(forceSim
        ? $"Using the ElixiModels Ollama simulator at http://{simHost} (--simulator): its models are simulated, not real."
        : $"No Ollama answered at {target}; started the ElixiModels Ollama simulator at http://{simHost}. Its models are simulated, not real. (Start Ollama, or pass --uri, to manage real models.)");
    Console.ResetColor();
}

var host = new ConsoleHost();
InitialSessionState iss = InitialSessionState.CreateDefault2();
using Runspace runspace = RunspaceFactory.CreateRunspace(host, iss);
runspace.Open();
int failures = Run($"Import-Module '{manifest.Replace("'", "''")}' -ErrorAction Stop");
if (Console.IsOutputRedirected)
{
    Run("$PSStyle.OutputRendering = 'PlainText'");
}
if (failures > 0)
{
    return 1;
}

if (interactive)
{
    Console.WriteLine("ElixiModels shell. Type PowerShell (e.g. Get-OllamaModel -Loaded), 'exit' to quit.");
    while (true)
    {
        Console.Write("elixi> ");
        string? line = Console.ReadLine();
        if (line is null || line.Trim() is "exit" or "quit")
        {
            break;
        }

        if (line.Trim().Length > 0)
        {
            Run(line);
        }
    }
}
else
{
    failures = Run(command);
}

if (simulator is not null)
{
    await simulator.DisposeAsync();
}

return failures > 0 ? 1 : 0;

int Run(string script)
{
    using PowerShell ps = PowerShell.Create();
    ps.Runspace = runspace;
    ps.AddScript(script).AddCommand("Out-Default");
    ps.Commands.Commands[0].MergeMyResults(PipelineResultTypes.Error, PipelineResultTypes.Output);
    ConsoleCancelEventHandler stop = (_, e) => { e.Cancel = true; ps.BeginStop(null, null); };
    Console.CancelKeyPress += stop;
    try
    {
        ps.Invoke();
        return ps.HadErrors ? 1 : 0;
    }
    catch (RuntimeException ex)
    {
        Console.ForegroundColor = ConsoleColor.Red;
        Console.Error.WriteLine(ex.ErrorRecord?.ToString() ?? ex.Message);
        Console.ResetColor();
        return 1;
    }
    finally
    {
        Console.CancelKeyPress -= stop;
    }
}

static async Task<bool> OllamaAnswersAsync(string hostValue)
{
    string baseUri = hostValue.Contains("://") ? hostValue : "http://" + hostValue;
    try
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        string body = await http.GetStringAsync(baseUri.TrimEnd('/') + "/");
        return body.Contains("Ollama is running", StringComparison.OrdinalIgnoreCase);
    }
    catch (Exception)
    {
        return false;
    }
}

static string? FindManifest()
{
    foreach (string start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, "ElixiModels.psd1");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
    }

    return null;
}

static bool Take(List<string> list, string flag)
{
    int i = list.FindIndex(a => a.Equals(flag, StringComparison.OrdinalIgnoreCase));
    if (i < 0) return false;
    list.RemoveAt(i);
    return true;
}

static string? TakeValue(List<string> list, string flag)
{
    int i = list.FindIndex(a => a.Equals(flag, StringComparison.OrdinalIgnoreCase));
    if (i < 0 || i + 1 >= list.Count) return null;
    string value = list[i + 1];
    list.RemoveRange(i, 2);
    return value;
}
