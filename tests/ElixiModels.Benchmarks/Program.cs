using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Threading.Tasks;
using ElixiModels.Benchmarks;
using OllamaSimulator;

// dotnet run -c Release --project tests/ElixiModels.Benchmarks [-- --quick] [--json <file>]
// Measures every item in one run against the simulator and prints a table plus JSON, each item as a ratio against
// its baseline; exits 1 when a target is missed.
bool quick = args.Contains("--quick");
string jsonPath = ArgValue("--json") ?? Path.Combine(Repo.Root, "artifacts", "benchmarks.json");
int reps = quick ? 5 : 15;
var results = new List<Result>();

Console.WriteLine($"ElixiModels performance harness — {Environment.ProcessorCount} cores, .NET {Environment.Version}, {(quick ? "quick" : "full")} run");

if (args.Contains("--diag"))
{
    await Items.DiagnoseListingAsync(500);
    return 0;
}

if (args.Contains("--scheduled-task"))
{
    Result r = await Items.ScheduledTaskAsync(reps);
    Console.WriteLine($"{r.Item}: {r.Measured} vs {r.Baseline} = {r.Ratio:0.00}x (target {r.Target}) {r.Note}");
    return r.Met ? 0 : 1;
}

if (args.Contains("--select-cold"))
{
    Result cold = await Items.SelectColdAsync(10_000);
    Console.WriteLine($"{cold.Item}: {cold.Measured} (target {cold.Target}, met: {cold.Met}); {cold.Note}");
    return cold.Met ? 0 : 1;
}

if (args.Contains("--diag-install"))
{
    await Items.DiagnoseInstallAsync();
    return 0;
}

results.Add(await Items.ListingAsync(500, reps));
results.AddRange(await Items.DetailedAsync(200, reps));
results.Add(Items.ImportModule(reps));
results.AddRange(await Items.InstallAsync(quick ? 2 : 4));
results.AddRange(await Items.MeasureAsync());
results.Add(await Items.StatusAsync(reps));
results.Add(await Items.SelectAsync(200, reps));
results.Add(await Items.MemoryAsync(5000));
results.Add(await Items.ScheduledTaskAsync(quick ? 5 : 11));
results.Add(await Items.SelectColdAsync(quick ? 2_000 : 10_000));

Console.WriteLine();
Console.WriteLine($"{"#",-3} {"item",-44} {"measured",14} {"baseline",14} {"ratio",7} {"target",-14} {"met",-4}");
int n = 0;
foreach (Result r in results)
{
    n++;
    Console.WriteLine($"{n,-3} {r.Item,-44} {r.Measured,14} {r.Baseline,14} {r.Ratio,7:0.00} {r.Target,-14} {(r.Met ? "yes" : "NO"),-4}");
    if (r.Note.Length > 0)
    {
        Console.WriteLine($"    {r.Note}");
    }
}

Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(jsonPath))!);
File.WriteAllText(jsonPath, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
Console.WriteLine($"JSON: {jsonPath}");
return results.All(r => r.Met) ? 0 : 1;

string? ArgValue(string name)
{
    int i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal static class Items
{
    public static async Task<Result> ListingAsync(int models, int reps)
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(Fleet(models));
        using var http = new HttpClient { BaseAddress = sim.BaseUri };
        using Runspace rs = Engine.OpenWithModule();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        string uri = sim.BaseUri.ToString();

        Sample raw = await Measure.TimeAsync(async () =>
        {
            using Stream body = await http.GetStreamAsync("api/tags");
            TagList list = (await JsonSerializer.DeserializeAsync<TagList>(body))!;
            if (list.Models.Count != models) throw new InvalidOperationException("raw listing incomplete");
        }, warmup: 5, reps);

        Sample cmdlet = Measure.Time(() =>
        {
            ps.Commands.Clear();
            ps.AddCommand("Get-OllamaModel").AddParameter("Uri", uri);
            int count = ps.Invoke().Count;
            if (count != models || ps.HadErrors) throw new InvalidOperationException($"Get-OllamaModel returned {count} objects");
        }, warmup: 5, reps);

        double ratio = cmdlet.Median / raw.Median;
        return new Result($"Get-OllamaModel, {models} models", Ms(cmdlet.Median), cmdlet.Median,
            "raw GET+parse " + Ms(raw.Median), raw.Median, ratio, "<= 1.30x", ratio <= 1.30, string.Empty);
    }

    public static async Task DiagnoseListingAsync(int models)
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(Fleet(models));
        using Runspace rs = Engine.OpenWithModule();
        using (PowerShell imp = PowerShell.Create()) { imp.Runspace = rs; imp.AddScript($"Import-Module '{typeof(TrivialCommand).Assembly.Location}'").Invoke(); }
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        string uri = sim.BaseUri.ToString();
        foreach (string script in new[]
        {
            "Get-Trivial -Count 500",
            $"Get-OllamaModel -Uri '{uri}'",
            $"Get-OllamaModel -Uri '{uri}' -Name 'zzz*'",
            $"Get-OllamaModel -Uri '{uri}' -Loaded",
        })
        {
            Sample s = Measure.Time(() => { ps.Commands.Clear(); ps.AddScript(script); ps.Invoke(); }, 5, 15);
            Console.WriteLine($"{s.Median,8:0.00} ms  {script}");
        }
    }

    public static async Task<IEnumerable<Result>> DetailedAsync(int models, int reps)
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(Fleet(models));
        string uri = sim.BaseUri.ToString();
        var cold = new List<double>();
        var warm = new List<double>();
        var plain = new List<double>();
        int warmShows = 0;
        for (int i = 0; i < reps; i++)
        {
            // A new runspace has an empty session cache: its first -Detailed listing is cold.
            using Runspace rs = Engine.OpenWithModule();
            using PowerShell ps = PowerShell.Create();
            ps.Runspace = rs;
            plain.Add(Engine.Time(ps, $"Get-OllamaModel -Uri '{uri}'", models));
            cold.Add(Engine.Time(ps, $"Get-OllamaModel -Uri '{uri}' -Detailed", models));
            int before = sim.State.Log.Count("POST", "/api/show");
            warm.Add(Engine.Time(ps, $"Get-OllamaModel -Uri '{uri}' -Detailed", models));
            warmShows += sim.State.Log.Count("POST", "/api/show") - before;
        }

        double coldMs = new Sample(cold).Median, warmMs = new Sample(warm).Median, plainMs = new Sample(plain).Median;
        return new[]
        {
            new Result($"Get-OllamaModel -Detailed, {models} models, cold", Ms(coldMs), coldMs, "plain " + Ms(plainMs), plainMs,
                coldMs / plainMs, "(reported)", true, $"{models} /api/show requests, at most 4 at a time"),
            new Result($"Get-OllamaModel -Detailed, {models} models, warm", Ms(warmMs), warmMs, "plain " + Ms(plainMs), plainMs,
                warmMs / plainMs, "<= 1.30x, 0 req", warmShows == 0 && warmMs / plainMs <= 1.30, $"{warmShows} /api/show requests in {reps} warm listings"),
        };
    }

    public static async Task<IEnumerable<Result>> InstallAsync(int reps)
    {
        const string model = "bench-big:latest";
        var state = new SimulatorState();
        state.AddRemote(new SimModel { Name = model, SizeBytes = 4_000_000_000, LayerCount = 16, ParameterCount = 7_000_000_000 });
        state.Faults.PullBytesPerSecond = 2_000_000_000;
        await using SimulatorServer sim = await SimulatorServer.StartAsync(state);
        string uri = sim.BaseUri.ToString();
        using var http = new HttpClient { BaseAddress = sim.BaseUri };
        using Runspace rs = Engine.OpenWithModule();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;

        void Reset()
        {
            state.RemoveInstalled(model);
            state.ClearPartialDownloads();
        }

        var raw = new List<double>();
        var cmdlet = new List<double>();
        double worstRate = 0;
        int records = 0;
        for (int i = 0; i <= reps; i++)
        {
            Reset();
            long start = Stopwatch.GetTimestamp();
            using (var request = new HttpRequestMessage(HttpMethod.Post, "api/pull") { Content = new StringContent($"{{\"model\":\"{model}\"}}") })
            using (HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead))
            using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync()))
            {
                while (await reader.ReadLineAsync() is { } line)
                {
                    using JsonDocument doc = JsonDocument.Parse(line);
                }
            }

            double rawMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            Reset();
            ps.Commands.Clear();
            ps.Streams.Progress.Clear();
            ps.AddCommand("Install-OllamaModel").AddParameter("Name", model).AddParameter("Uri", uri).AddParameter("Confirm", false);
            start = Stopwatch.GetTimestamp();
            ps.Invoke();
            double cmdMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            if (ps.HadErrors) throw new InvalidOperationException("Install-OllamaModel failed: " + ps.Streams.Error[0]);
            if (i == 0) continue; // warm-up
            raw.Add(rawMs);
            cmdlet.Add(cmdMs);
            records = ps.Streams.Progress.Count;
            worstRate = Math.Max(worstRate, MaxPerSecond(ps.Streams.Progress.Count, cmdMs));
        }

        double r = new Sample(raw).Median, c = new Sample(cmdlet).Median;
        return new[]
        {
            new Result("Install-OllamaModel, 4 GB in 16 layers", Ms(c), c, "raw NDJSON " + Ms(r), r, c / r, "<= 1.05x", c / r <= 1.05, string.Empty),
            new Result("Install-OllamaModel progress records", $"{worstRate:0.0}/s", worstRate, $"{records} records", records, worstRate / 10, "<= 10/s", worstRate <= 10.0,
                "records per second of pull time, including the final Completed record"),
        };
    }

    private static double MaxPerSecond(int count, double ms) => ms <= 0 ? 0 : Math.Max(0, count - 1) / (ms / 1000.0);

    public static async Task<IEnumerable<Result>> MeasureAsync()
    {
        const double rate = 80, promptRate = 800;
        var state = new SimulatorState();
        state.AddInstalled(new SimModel { Name = "bench-speed:latest", GenerateTokensPerSecond = rate, PromptTokensPerSecond = promptRate, LoadTime = TimeSpan.FromMilliseconds(200), ParameterCount = 3_000_000_000 });
        await using SimulatorServer sim = await SimulatorServer.StartAsync(state);
        using Runspace rs = Engine.OpenWithModule();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        // One throwaway measurement so JIT is not part of the numbers.
        ps.AddScript($"Measure-OllamaModel -Name bench-speed -Uri '{sim.BaseUri}' -Count 1 -Warmup 0 -MaxTokens 4").Invoke();
        ps.Commands.Clear();
        ps.AddScript($"Measure-OllamaModel -Name bench-speed -Uri '{sim.BaseUri}' -Count 5 -Warmup 1 -MaxTokens 64");
        long start = Stopwatch.GetTimestamp();
        PSObject result = ps.Invoke().Single();
        double wall = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (ps.HadErrors) throw new InvalidOperationException("Measure-OllamaModel failed: " + ps.Streams.Error[0]);

        double tps = (double)result.Properties["GenerateTpsMedian"].Value;
        var runs = ((IEnumerable<object>)result.Properties["Runs"].Value).Select(o => PSObject.AsPSObject(o)).ToList();
        var warmups = ((IEnumerable<object>)result.Properties["WarmupRuns"].Value).Select(o => PSObject.AsPSObject(o)).ToList();
        // The simulator's truth for the first token: prompt evaluation at its configured rate, then one token interval.
        double ttftError = runs.Select(o => Math.Abs((double)o.Properties["TtftMs"].Value
            - ((double)o.Properties["PromptMs"].Value + 1000.0 / rate))).Max();
        double serverMs = runs.Concat(warmups).Sum(o => (double)o.Properties["ServerTotalMs"].Value);
        double tpsError = Math.Abs(tps - rate) / rate;
        return new[]
        {
            new Result("Measure-OllamaModel tokens/s vs truth", $"{tps:0.00} tok/s", tps, $"truth {rate:0} tok/s", rate, tps / rate, "within 1 %", tpsError <= 0.01, $"error {tpsError:P2}"),
            new Result("Measure-OllamaModel TTFT vs truth", $"{ttftError:0.00} ms", ttftError, "prompt eval + 1 token", 0, 0, "<= 5 ms", ttftError <= 5, "largest difference over 5 runs"),
            new Result("Measure-OllamaModel wall vs generation", Ms(wall), wall, "server " + Ms(serverMs), serverMs, wall / serverMs, "<= 1.02x", wall / serverMs <= 1.02,
                "5 runs + 1 warm-up, 64 tokens each; server = sum of total_duration"),
        };
    }

    public static async Task<Result> StatusAsync(int reps)
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        sim.State.MarkLoaded("llama3.2:3b");
        using Runspace rs = Engine.OpenWithModule();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        string script = $"Get-OllamaModelStatus -Uri '{sim.BaseUri}'";
        Sample warm = Measure.Time(() => Engine.Time(ps, script, 1), warmup: 3, reps);
        return new Result("Get-OllamaModelStatus, warm", Ms(warm.Median), warm.Median, "target 100 ms", 100, warm.Median / 100, "<= 100 ms", warm.Median <= 100, string.Empty);
    }

    public static async Task<Result> SelectAsync(int models, int reps)
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(Fleet(models));
        using Runspace rs = Engine.OpenWithModule();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        // Candidates from the installed list, details warm in the session (a user selects after listing).
        Engine.Time(ps, $"$script:candidates = Get-OllamaModel -Uri '{sim.BaseUri}' -Detailed", 0);
        string script = $"$script:candidates | Select-OllamaModel -Task general -Uri '{sim.BaseUri}' -MemoryLimit 1TB";
        Sample s = Measure.Time(() => Engine.Time(ps, script, 1), warmup: 3, reps);
        return new Result($"Select-OllamaModel, {models} candidates", Ms(s.Median), s.Median, "target 50 ms", 50, s.Median / 50, "<= 50 ms", s.Median <= 50, string.Empty);
    }

    /// <summary>
    /// A first Select-OllamaModel (empty session cache) over many installed models on an Ollama 0.32 server, whose
    /// /api/show answers no faster than a real one (0.27 s): 0.30+ lists capabilities and context length in /api/tags,
    /// so no /api/show is needed at all.
    /// </summary>
    public static async Task<Result> SelectColdAsync(int models)
    {
        SimulatorState state = Fleet(models);
        state.Version = SimulatorState.CurrentVersion;
        state.ShowLatency = TimeSpan.FromMilliseconds(270);
        await using SimulatorServer sim = await SimulatorServer.StartAsync(state);
        await using SimulatorServer small = await SimulatorServer.StartAsync(Fleet(5));
        using Runspace rs = Engine.OpenWithModule();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        // The engine warmed up (JIT) on another server; the session knows nothing of this one.
        Engine.Time(ps, $"Select-OllamaModel -Task general -Uri '{small.BaseUri}' -MemoryLimit 1TB", 1);
        double ms = Engine.Time(ps, $"Select-OllamaModel -Task general -Uri '{sim.BaseUri}' -MemoryLimit 1TB", 1);
        int shows = state.Log.Count("POST", "/api/show");
        return new Result($"Select-OllamaModel, {models} models, 0.32, cold", Ms(ms), ms, "target 2000 ms", 2000, ms / 2000, "< 2 s, 0 req",
            ms < 2000 && shows == 0, $"{shows} /api/show requests (each 0.27 s on the simulator, 0.27-0.52 s on a real 0.32.15)");
    }

    public static async Task DiagnoseInstallAsync()
    {
        const string model = "bench-big:latest";
        var state = new SimulatorState();
        state.AddRemote(new SimModel { Name = model, SizeBytes = 4_000_000_000, LayerCount = 16 });
        await using SimulatorServer sim = await SimulatorServer.StartAsync(state);
        using Runspace rs = Engine.OpenWithModule();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        for (int i = 0; i < 3; i++)
        {
            state.RemoveInstalled(model);
            state.ClearPartialDownloads();
            state.Log.Clear();
            ps.Commands.Clear();
            ps.AddCommand("Install-OllamaModel").AddParameter("Name", model).AddParameter("Uri", sim.BaseUri.ToString()).AddParameter("Confirm", false);
            DateTimeOffset t0 = DateTimeOffset.UtcNow;
            ps.Invoke();
            DateTimeOffset t1 = DateTimeOffset.UtcNow;
            Console.WriteLine($"total {(t1 - t0).TotalMilliseconds:0} ms");
            foreach (var e in state.Log.Entries) Console.WriteLine($"  +{(e.At - t0).TotalMilliseconds,7:0.0} ms {e.Method} {e.Path}");
        }
    }

    public static Result ImportModule(int reps)
    {
        string trivial = typeof(TrivialCommand).Assembly.Location;
        Sample baseline = Measure.Time(() => Engine.TimeImport($"Import-Module '{trivial}'"), warmup: 2, reps);
        Sample module = Measure.Time(() => Engine.TimeImport($"Import-Module '{Repo.Manifest}'"), warmup: 2, reps);
        double ratio = module.Median / baseline.Median;
        return new Result("Import-Module ElixiModels (fresh runspace)", Ms(module.Median), module.Median,
            "trivial " + Ms(baseline.Median), baseline.Median, ratio, "<= 2.00x", ratio <= 2.0,
            "times only the Import-Module call, each in a new runspace of one process (assemblies already JIT-compiled after the first)");
    }

    public static async Task<Result> MemoryAsync(int models)
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(Fleet(models));
        string uri = sim.BaseUri.ToString();
        const string Peak = "[System.Diagnostics.Process]::GetCurrentProcess().PeakWorkingSet64";
        string import = $"Import-Module '{Repo.Manifest}'; $PSDefaultParameterValues['*-Ollama*:Uri'] = '{uri}'";
        long idle = await Pwsh.PeakWorkingSetAsync($"{import}; {Peak}");
        long listing = await Pwsh.PeakWorkingSetAsync($"{import}; $n = 0; Get-OllamaModel | ForEach-Object {{ $n++ }}; if ($n -ne {models}) {{ throw \"listed $n\" }}; {Peak}");
        double deltaMb = (listing - idle) / 1048576.0;
        return new Result($"Memory: listing {models} models", $"{deltaMb:0.0} MB", deltaMb,
            $"pwsh {idle / 1048576.0:0} MB", idle / 1048576.0, listing / (double)idle, "< 100 MB", deltaMb < 100,
            $"peak working set of a fresh pwsh 7.6.9 with the module imported: {listing / 1048576.0:0} MB listing vs {idle / 1048576.0:0} MB idle");
    }

    /// <summary>
    /// A scheduled task's whole command in a fresh pwsh: import and list, against the same process calling the REST API
    /// itself; runs alternate so both see the same machine.
    /// </summary>
    public static async Task<Result> ScheduledTaskAsync(int reps)
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        string uri = sim.BaseUri.ToString().TrimEnd('/');
        string baselineScript = $"(Invoke-RestMethod '{uri}/api/tags').models | Out-Default";
        string moduleScript = $"Import-Module '{Repo.Manifest}'; Get-OllamaModel -Uri '{uri}' | Out-Default";
        await Pwsh.RunAsync(baselineScript);
        await Pwsh.RunAsync(moduleScript);
        var baseline = new List<double>();
        var module = new List<double>();
        for (int i = 0; i < reps; i++)
        {
            long t0 = Stopwatch.GetTimestamp();
            await Pwsh.RunAsync(baselineScript);
            baseline.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            t0 = Stopwatch.GetTimestamp();
            await Pwsh.RunAsync(moduleScript);
            module.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        double b = new Sample(baseline).Median;
        double m = new Sample(module).Median;
        double ratio = m / b;
        return new Result("Scheduled task: fresh pwsh, import + list", Ms(m), m, "irm " + Ms(b), b, ratio, "<= 1.10x", ratio <= 1.10,
            $"pwsh -NoProfile -Command \"Import-Module ElixiModels; Get-OllamaModel\" vs \"Invoke-RestMethod /api/tags\", {reps} alternating runs each, medians");
    }

    public static SimulatorState Fleet(int count)
    {
        var state = new SimulatorState();
        string[] families = { "llama", "qwen2", "gemma3", "phi3", "mistral" };
        for (int i = 0; i < count; i++)
        {
            state.AddInstalled(new SimModel
            {
                Name = $"bench-model-{i:D4}:q{i % 7}",
                Family = families[i % families.Length],
                ParameterCount = 1_000_000_000L * (1 + i % 14),
                SizeBytes = 700_000_000L * (1 + i % 14),
                Capabilities = i % 10 == 0 ? new[] { "embedding" } : new[] { "completion", "tools" },
                ModifiedAt = DateTimeOffset.UtcNow.AddMinutes(-i),
            });
        }

        return state;
    }

    private static string Ms(double ms) => ms.ToString("0.00", CultureInfo.InvariantCulture) + " ms";

    private sealed class TagList
    {
        [JsonPropertyName("models")] public List<TagModel> Models { get; set; } = new();
    }

    private sealed class TagModel
    {
        [JsonPropertyName("name")] public string Name { get; set; } = string.Empty;
        [JsonPropertyName("modified_at")] public DateTimeOffset ModifiedAt { get; set; }
        [JsonPropertyName("size")] public long Size { get; set; }
        [JsonPropertyName("digest")] public string Digest { get; set; } = string.Empty;
        [JsonPropertyName("details")] public Dictionary<string, JsonElement>? Details { get; set; }
    }
}

internal static class Engine
{
    public static Runspace OpenWithModule()
    {
        Runspace rs = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        rs.Open();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        ps.AddScript($"Import-Module '{Repo.Manifest}' -ErrorAction Stop").Invoke();
        return rs;
    }

    /// <summary>Times one script; checks it produced <paramref name="expected"/> objects (or any number when 0) and no errors.</summary>
    public static double Time(PowerShell ps, string script, int expected)
    {
        ps.Commands.Clear();
        ps.Streams.ClearStreams();
        ps.AddScript(script);
        long start = Stopwatch.GetTimestamp();
        int count = ps.Invoke().Count;
        double ms = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
        if (ps.HadErrors || (expected > 0 && count != expected))
        {
            throw new InvalidOperationException($"'{script}' returned {count} objects: {(ps.Streams.Error.Count > 0 ? ps.Streams.Error[0] : "")}");
        }

        return ms;
    }

    /// <summary>Opens a runspace (untimed), then times the import script alone.</summary>
    public static void TimeImport(string script)
    {
        using Runspace rs = RunspaceFactory.CreateRunspace(InitialSessionState.CreateDefault2());
        rs.Open();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = rs;
        ps.AddScript(script + " -ErrorAction Stop").Invoke();
        if (ps.HadErrors) throw new InvalidOperationException("import failed: " + ps.Streams.Error[0]);
    }
}

/// <summary>Real pwsh 7.6.9 from the repository's tool manifest, started the way a scheduled task starts it.</summary>
internal static class Pwsh
{
    private static readonly Lazy<string> Dll = new(FindDll);

    /// <summary>Runs <c>pwsh -NoProfile -Command script</c> in a fresh process; returns its standard output.</summary>
    public static async Task<string> RunAsync(string script)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repo.Root };
        foreach (string a in new[] { "exec", Dll.Value, "-NoProfile", "-NonInteractive", "-Command", script })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        Task<string> output = p.StandardOutput.ReadToEndAsync();
        Task<string> error = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"pwsh failed ({p.ExitCode}): {await output}{await error}");
        }

        return await output;
    }

    /// <summary>The peak working set the script reports as its last output line.</summary>
    public static async Task<long> PeakWorkingSetAsync(string script)
    {
        string output = await RunAsync(script);
        string last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault()?.Trim() ?? string.Empty;
        return long.TryParse(last, out long bytes) ? bytes : throw new InvalidOperationException($"pwsh printed no number: {output}");
    }

    // `dotnet pwsh` resolves the tool through the manifest on every start; the harness asks once, then runs pwsh.dll.
    private static string FindDll()
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = Repo.Root };
        foreach (string a in new[] { "pwsh", "-NoProfile", "-Command", "Join-Path $PSHOME pwsh.dll" })
        {
            psi.ArgumentList.Add(a);
        }

        using Process p = Process.Start(psi)!;
        string dll = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return File.Exists(dll) ? dll : throw new InvalidOperationException("pwsh 7.6.9 is not installed: run 'dotnet tool restore' in the repository.");
    }
}

internal static class Repo
{
    public static readonly string Root = Find();

    public static string Manifest => Path.Combine(Root, "ElixiModels.psd1");

    private static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
        {
            if (File.Exists(Path.Combine(d.FullName, "ElixiModels.sln"))) return d.FullName;
        }

        throw new InvalidOperationException("Run the harness from inside the repository.");
    }
}
