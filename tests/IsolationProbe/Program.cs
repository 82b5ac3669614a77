using System;
using System.Collections;
using System.IO;
using System.Reflection;
using System.Threading;
using System.Threading.Tasks;

// Usage: IsolationProbe <isolated|direct> <module-bin-folder> <ollama-uri>
// isolated: load ElixiModels through ElixiModels.Loader (as ElixiModels.psm1 does) and list models.
// direct:   load ElixiModels.dll straight into the default context (no isolation) and do the same.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: IsolationProbe <isolated|direct> <module-bin-folder> <ollama-uri>");
    return 2;
}

string mode = args[0];
string bin = Path.GetFullPath(args[1]);
string lib = Path.Combine(bin, "lib");
Console.WriteLine($"runtime: {Environment.Version}; System.Text.Json in default context: {typeof(System.Text.Json.JsonSerializer).Assembly.GetName().Version}");

try
{
    Assembly main;
    if (mode == "isolated")
    {
        Assembly loader = Assembly.LoadFrom(Path.Combine(bin, "Core", "ElixiModels.Loader.dll"));
        main = (Assembly)loader.GetType("ElixiModels.Loader.ModuleLoader", true)!
            .GetMethod("Initialize")!.Invoke(null, new object[] { lib })!;
    }
    else
    {
        main = Assembly.LoadFrom(Path.Combine(lib, "ElixiModels.dll"));
    }

    Type clientType = main.GetType("ElixiModels.Ollama.OllamaClient", true)!;
    object client = Activator.CreateInstance(clientType, new Uri(args[2]), null)!;
    var task = (Task)clientType.GetMethod("ListInstalledAsync")!.Invoke(client, new object[] { CancellationToken.None })!;
    await task;
    var models = (IEnumerable)task.GetType().GetProperty("Result")!.GetValue(task)!;
    int count = 0;
    foreach (object m in models)
    {
        count++;
        Console.WriteLine("model: " + m.GetType().GetProperty("Name")!.GetValue(m));
    }

    Console.WriteLine($"OK {count} models; OllamaSharp loaded in: {System.Runtime.Loader.AssemblyLoadContext.GetLoadContext(clientType.Assembly)?.Name}");
    return 0;
}
catch (Exception ex)
{
    while (ex is TargetInvocationException { InnerException: not null } tie)
    {
        ex = tie.InnerException!;
    }

    Console.WriteLine($"FAILED {ex.GetType().FullName}: {ex.Message}");
    return 3;
}
