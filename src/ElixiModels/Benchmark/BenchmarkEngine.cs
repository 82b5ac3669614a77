using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Resources;
using ElixiModels.Selection;
using ElixiModels.Session;
using ElixiModels.Reporting;

namespace ElixiModels.Benchmark;

/// <summary>How Measure-OllamaModel measures: runs, warm-up, prompt, and generation options.</summary>
public sealed class BenchmarkSettings
{
    /// <summary>Counted runs per model.</summary>
    public int Count { get; set; } = 5;

    /// <summary>Runs before the counted ones (they load the model and warm caches); not counted.</summary>
    public int Warmup { get; set; } = 1;

    /// <summary>A custom prompt; null uses the built-in set of <see cref="PromptSet"/>.</summary>
    public string? Prompt { get; set; }

    public ModelTask PromptSet { get; set; } = ModelTask.General;

    /// <summary>num_predict: the number of tokens each run generates at most.</summary>
    public int MaxTokens { get; set; } = 128;

    public double Temperature { get; set; }

    public int Seed { get; set; } = 42;

    /// <summary>Unload the model when its measurement is done.</summary>
    public bool Unload { get; set; }
}

/// <summary>A run before the counted ones, or a counted one.</summary>
internal enum BenchmarkPhase
{
    Warmup,
    Run,
}

/// <summary>The model cannot be measured (e.g. an embedding model, which cannot generate text).</summary>
public sealed class BenchmarkNotSupportedException : Exception
{
    public BenchmarkNotSupportedException(string model, string message)
        : base(message)
    {
        Model = model;
    }

    public string Model { get; }
}

/// <summary>
/// Measures models on one Ollama server, one request at a time. Per run: the time to the first non-empty response
/// or thinking text (client stopwatch, from just before the request is sent), prefill speed
/// (prompt_eval_count / prompt_eval_duration), generation speed (eval_count / eval_duration), load_duration, the
/// client's wall time and the server's total_duration. A failed run is recorded with its error and the rest go on;
/// cancellation ends the measurement and returns the runs finished so far (<see cref="BenchmarkResult.IsComplete"/>
/// false). The per-run work outside the request itself is a few allocations and one stopwatch read per line.
/// </summary>
public sealed class BenchmarkEngine
{
    private readonly OllamaClient _client;
    private readonly BenchmarkSettings _settings;
    private readonly IHostResourceProbe? _probe;
    private readonly ModelDetailsCache? _details;
    private Task<string?>? _version;

    /// <param name="client">The server.</param>
    /// <param name="settings">How to measure.</param>
    /// <param name="probe">This machine's resources, recorded with each result; null leaves them out.</param>
    /// <param name="details">The session's /api/show cache; null reads the details every time.</param>
    public BenchmarkEngine(OllamaClient client, BenchmarkSettings settings, IHostResourceProbe? probe, ModelDetailsCache? details = null)
    {
        _client = client ?? throw new ArgumentNullException(nameof(client));
        _settings = settings ?? throw new ArgumentNullException(nameof(settings));
        _probe = probe;
        _details = details;
    }

    /// <summary>The progress bar of the model being measured; the current run's bar is shown under it.</summary>
    public const int ModelActivity = 1;

    /// <summary>The progress bar of the current run's tokens.</summary>
    public const int RunActivity = 2;

    /// <summary>
    /// Measures <paramref name="model"/>, reporting progress (<see cref="ModelActivity"/>, <see cref="RunActivity"/>)
    /// and failed runs as warnings. Throws <see cref="BenchmarkNotSupportedException"/> for a model that cannot
    /// generate text, <see cref="OllamaException"/> when the model cannot be read at all, and
    /// <see cref="OperationCanceledException"/> only when cancelled before the first request.
    /// </summary>
    public async Task<BenchmarkResult> MeasureAsync(OllamaModel model, IOperationReporter reporter, CancellationToken ct)
    {
        DateTimeOffset measuredAt = DateTimeOffset.UtcNow;
        var wall = Stopwatch.StartNew();
        string name = model.Name;
        reporter ??= NullOperationReporter.Instance;
        string activity = Activity(name);
        reporter.Progress(new OperationProgress(ModelActivity, activity, "Reading the model's details") { Percent = 0 });

        Task<string?> version = _version ??= TryAsync(() => _client.GetVersionAsync(ct));
        Task<HostResources?> machineTask = ReadMachineAsync(ct);
        Task<IReadOnlyList<WireRunningModel>?> before = TryAsync(() => _client.ListRunningAsync(ct));
        if (model.IsCloud)
        {
            throw new BenchmarkNotSupportedException(name,
                $"{name} is a cloud model: it runs on a remote host, not on this server, so Measure-OllamaModel does not time it as a local model; it was skipped.");
        }

        // Ollama 0.30+ lists the capabilities in /api/tags; older servers need /api/show (cached per session).
        IReadOnlyList<string> capabilities = model.Capabilities.Count > 0
            ? model.Capabilities
            : (_details is null
                ? ModelDetails.FromShow(await _client.ShowAsync(name, ct).ConfigureAwait(false), model.Digest)
                : await _details.GetAsync(_client, name, model.Digest, refresh: false, ct).ConfigureAwait(false)).Capabilities;
        if (capabilities.Count > 0 && !capabilities.Contains("completion", StringComparer.OrdinalIgnoreCase))
        {
            throw new BenchmarkNotSupportedException(name,
                $"{name} cannot generate text (its capabilities: {string.Join(", ", capabilities)}), so Measure-OllamaModel has nothing to time; it was skipped.");
        }

        bool wasLoaded = Find(await before.ConfigureAwait(false), name) is not null;
        HostResources? machine = await machineTask.ConfigureAwait(false);
        string salt = BenchmarkPrompts.NewSalt();
        int request = 0;
        double? loadMs = null;
        WireRunningModel? placement = null;
        bool placementRead = false;
        var runs = new List<BenchmarkRun>(_settings.Count);
        var warmups = new List<BenchmarkRun>(_settings.Warmup);
        bool complete = false;
        double? cpuPercent = null;
        int shortRuns = 0;

        try
        {
            for (int w = 1; w <= _settings.Warmup; w++)
            {
                BenchmarkRun warm = await RunOnceAsync(name, Prompt(salt, request++), w, BenchmarkPhase.Warmup, _settings.Warmup, runs, reporter, ct).ConfigureAwait(false);
                warmups.Add(warm);
                loadMs ??= warm.LoadMs;
                if (!warm.Succeeded)
                {
                    reporter.Warning($"Warm-up run {w} of {name} failed (not counted): {warm.Error}");
                }
                else if (!placementRead)
                {
                    placementRead = true;
                    placement = Find(await TryAsync(() => _client.ListRunningAsync(ct)).ConfigureAwait(false), name);
                }
            }

            for (int i = 1; i <= _settings.Count; i++)
            {
                BenchmarkRun run = await RunOnceAsync(name, Prompt(salt, request++), i, BenchmarkPhase.Run, _settings.Count, runs, reporter, ct).ConfigureAwait(false);
                // A run the server ended early is made again with a new prompt, up to MaxShortRetries times.
                for (int retry = 1; IsShort(run) && retry <= MaxShortRetries; retry++)
                {
                    shortRuns++;
                    run = await RunOnceAsync(name, Prompt(salt, request++), i, BenchmarkPhase.Run, _settings.Count, runs, reporter, ct, retry).ConfigureAwait(false);
                }

                if (IsShort(run))
                {
                    shortRuns++;
                }

                runs.Add(run);
                loadMs ??= run.LoadMs;
                if (!run.Succeeded)
                {
                    reporter.Warning($"Run {i} of {name} failed: {run.Error}");
                }

                if (run.Succeeded && !placementRead)
                {
                    placementRead = true;
                    placement = Find(await TryAsync(() => _client.ListRunningAsync(ct)).ConfigureAwait(false), name);
                }
            }

            complete = true;
            WarnShortRuns(name, runs, shortRuns, reporter);
            cpuPercent = (await ReadMachineAsync(ct).ConfigureAwait(false))?.CpuPercent;
            if (_settings.Unload)
            {
                reporter.Progress(new OperationProgress(ModelActivity, activity, "Unloading") { Percent = 100 });
                try
                {
                    await _client.UnloadAsync(name, ct).ConfigureAwait(false);
                }
                catch (Exception ex) when (!ct.IsCancellationRequested)
                {
                    reporter.Warning($"Measured {name}, but could not unload it: {ex.Message}");
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Stopped: the runs finished so far are the result.
        }

        wall.Stop();
        reporter.Progress(new OperationProgress(RunActivity, "Run", "Done") { ParentActivityId = ModelActivity, Completed = true });
        reporter.Progress(new OperationProgress(ModelActivity, activity, "Done") { Percent = 100, Completed = true });
        // When stopped, a version read that did not finish is left out rather than waited for.
        string? serverVersion = !ct.IsCancellationRequested || version.Status == TaskStatus.RanToCompletion
            ? await version.ConfigureAwait(false)
            : null;
        return Build(model, runs, warmups, complete, new MeasureFacts(measuredAt, wall.Elapsed, loadMs, wasLoaded, placement,
            serverVersion, machine, cpuPercent, shortRuns));
    }

    /// <summary>How often a short run is made again (Ollama's cmd/bench retries one up to 3 times).</summary>
    internal const int MaxShortRetries = 3;

    private const string Aborted = "aborted";

    /// <summary>
    /// Ended early by the server: fewer tokens than asked for and no final line, or no output at all (an answer Ollama
    /// 0.30+ could not return). A run stopped by the client past num_predict is not short.
    /// </summary>
    private bool IsShort(BenchmarkRun run) =>
        (run.Succeeded && run.DoneReason == Aborted && (run.GenerateTokens ?? 0) < _settings.MaxTokens)
        || (!run.Succeeded && run.Failure is OllamaException { Kind: OllamaErrorKind.NoOutput });

    private static void WarnShortRuns(string name, List<BenchmarkRun> runs, int shortRuns, IOperationReporter reporter)
    {
        if (shortRuns == 0)
        {
            return;
        }

        int stillShort = runs.Count(r => r.Succeeded && r.DoneReason == Aborted);
        string tail = stillShort == 0
            ? "the retries completed"
            : $"{stillShort} of {runs.Count} counted runs stayed short and are counted with the client's own token count and timings (DoneReason 'aborted')";
        reporter.Warning(
            $"{shortRuns} run(s) of {name} were ended early by the server without a final line (Ollama stops an answer whose token repeats more than 30 times; 0.30 and later also one that is not valid UTF-8); each was retried up to {MaxShortRetries} times with a new prompt: {tail}.");
    }

    private static string Activity(string model) => $"Measuring {model}";

    private string Prompt(string salt, int request) => BenchmarkPrompts.Build(_settings.PromptSet, _settings.Prompt, salt, request);

    private async Task<BenchmarkRun> RunOnceAsync(string model, string prompt, int number, BenchmarkPhase phase, int phaseRuns,
        List<BenchmarkRun> counted, IOperationReporter reporter, CancellationToken ct, int retry = 0)
    {
        int failed = counted.Count(r => !r.Succeeded);
        var options = new GenerateOptions
        {
            Model = model,
            Prompt = prompt,
            NumPredict = _settings.MaxTokens,
            Temperature = _settings.Temperature,
            Seed = _settings.Seed,
        };
        bool warm = phase == BenchmarkPhase.Warmup;
        string runActivity = warm ? $"Warm-up {number}" : $"Run {number}";
        int maxTokens = _settings.MaxTokens;
        reporter.Progress(new OperationProgress(ModelActivity, Activity(model), warm
            ? $"Warm-up {number} of {phaseRuns} (not counted)"
            : $"Run {number} of {phaseRuns}" + (failed > 0 ? $" ({failed} failed so far)" : string.Empty))
        {
            Percent = warm || phaseRuns == 0 ? 0 : (int)Math.Round((number - 1) * 100.0 / phaseRuns),
        });
        reporter.Progress(new OperationProgress(RunActivity, runActivity, $"0 of {maxTokens} tokens") { ParentActivityId = ModelActivity, Percent = 0 });

        DateTimeOffset startedAt = DateTimeOffset.UtcNow;
        long start = Stopwatch.GetTimestamp();
        long first = 0;
        long lastToken = 0;
        int tokens = 0;
        ProgressRateLimiter limiter = ProgressRateLimiter.StartNew();
        try
        {
            GenerateChunk last = await _client.GenerateAsync(options, chunk =>
            {
                long now = Stopwatch.GetTimestamp();
                if (first == 0 && (!string.IsNullOrEmpty(chunk.Response) || !string.IsNullOrEmpty(chunk.Thinking)))
                {
                    first = now;
                }

                if (!chunk.Done)
                {
                    lastToken = now;
                    tokens++;
                    if (limiter.TryReport(tokens * 100 / Math.Max(1, maxTokens), out int percent))
                    {
                        reporter.Progress(new OperationProgress(RunActivity, runActivity, $"{tokens} of {maxTokens} tokens")
                        {
                            ParentActivityId = ModelActivity,
                            Percent = percent,
                        });
                    }
                }
            }, ct).ConfigureAwait(false);
            long end = Stopwatch.GetTimestamp();
            // Runs whose server timings cannot be used: the client's clock and token count stand in.
            BenchmarkRun ClientTimed(int generated, double? generateMs, double? tokensPerSecond, string? doneReason) => new()
            {
                Run = number,
                StartedAt = startedAt,
                Prompt = prompt,
                Succeeded = true,
                TtftMs = first == 0 ? null : Ms(first - start),
                GenerateTokens = generated,
                GenerateMs = generateMs,
                GenerateTokensPerSecond = tokensPerSecond,
                TotalMs = Ms(end - start),
                DoneReason = doneReason,
                Retries = retry,
            };

            if (last.Aborted)
            {
                // No final line: the server's timings are unknown.
                double? genMs = first != 0 && lastToken > first ? Ms(lastToken - first) : null;
                return ClientTimed(last.StreamedTokens, genMs, genMs is > 0 && tokens > 1 ? (tokens - 1) / (genMs.Value / 1000) : null, Aborted);
            }

            double? streamMs = first == 0 ? null : Ms(end - first);
            if (ServerTimings.Problem(last, Ms(end - start), streamMs, tokens) is { } impossible)
            {
                reporter.Warning($"Run {number} of {model}: the server reported impossible timings ({impossible}); they were not used, the client's own timing stands in.");
                return ClientTimed(tokens, streamMs, tokens > 0 && streamMs is > 0 ? tokens / (streamMs.Value / 1000) : null, last.DoneReason);
            }

            return new BenchmarkRun
            {
                Run = number,
                StartedAt = startedAt,
                Prompt = prompt,
                Succeeded = true,
                TtftMs = first == 0 ? null : Ms(first - start),
                PromptTokens = last.PromptEvalCount,
                PromptMs = NsToMs(last.PromptEvalDuration),
                PromptTokensPerSecond = Rate(last.PromptEvalCount, last.PromptEvalDuration),
                GenerateTokens = last.EvalCount,
                GenerateMs = NsToMs(last.EvalDuration),
                GenerateTokensPerSecond = Rate(last.EvalCount, last.EvalDuration),
                LoadMs = NsToMs(last.LoadDuration) ?? 0,
                TotalMs = Ms(end - start),
                ServerTotalMs = NsToMs(last.TotalDuration),
                DoneReason = last.DoneReason,
                Retries = retry,
            };
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            return new BenchmarkRun
            {
                Run = number,
                StartedAt = startedAt,
                Prompt = prompt,
                Succeeded = false,
                Error = ex.Message,
                Failure = ex,
                TotalMs = Ms(Stopwatch.GetTimestamp() - start),
                Retries = retry,
            };
        }
    }

    private BenchmarkResult Build(OllamaModel model, List<BenchmarkRun> runs, IReadOnlyList<BenchmarkRun> warmups, bool complete, MeasureFacts f)
    {
        BenchmarkRun[] ok = runs.Where(r => r.Succeeded).ToArray();
        MetricSummary? gen = MetricSummary.Of(ok.Where(r => r.GenerateTokensPerSecond.HasValue).Select(r => r.GenerateTokensPerSecond!.Value));
        MetricSummary? pre = MetricSummary.Of(ok.Where(r => r.PromptTokensPerSecond.HasValue).Select(r => r.PromptTokensPerSecond!.Value));
        MetricSummary? ttft = MetricSummary.Of(ok.Where(r => r.TtftMs.HasValue).Select(r => r.TtftMs!.Value));
        MetricSummary? total = MetricSummary.Of(ok.Select(r => r.TotalMs));
        WireRunningModel? p = f.Placement;
        HostResources? m = f.Machine;
        return new BenchmarkResult
        {
            Name = model.Name,
            Host = _client.Host,
            Digest = string.IsNullOrEmpty(model.Digest) ? null : model.Digest,
            RequestedRuns = _settings.Count,
            RunCount = runs.Count,
            SuccessCount = ok.Length,
            Errors = runs.Count - ok.Length,
            ErrorRate = runs.Count == 0 ? 0 : (runs.Count - ok.Length) / (double)runs.Count,
            IsComplete = complete,
            ShortRuns = f.ShortRuns,
            AbortedRuns = ok.Count(r => r.DoneReason == Aborted),
            GenerateTpsMean = gen?.Mean,
            GenerateTpsMedian = gen?.Median,
            GenerateTpsP95 = gen?.P95,
            GenerateTpsStdDev = gen?.StdDev,
            GenerateTpsMin = gen?.Min,
            GenerateTpsMax = gen?.Max,
            PromptTpsMean = pre?.Mean,
            PromptTpsMedian = pre?.Median,
            PromptTpsP95 = pre?.P95,
            PromptTpsStdDev = pre?.StdDev,
            PromptTpsMin = pre?.Min,
            PromptTpsMax = pre?.Max,
            TtftMsMean = ttft?.Mean,
            TtftMsMedian = ttft?.Median,
            TtftMsP95 = ttft?.P95,
            TtftMsStdDev = ttft?.StdDev,
            TtftMsMin = ttft?.Min,
            TtftMsMax = ttft?.Max,
            TotalMsMean = total?.Mean,
            TotalMsMedian = total?.Median,
            TotalMsP95 = total?.P95,
            TotalMsStdDev = total?.StdDev,
            TotalMsMin = total?.Min,
            TotalMsMax = total?.Max,
            LoadMs = f.LoadMs,
            WasLoaded = f.WasLoaded,
            Family = model.Family,
            ParameterCount = model.ParameterCount,
            Quantization = model.Quantization,
            SizeBytes = model.SizeBytes > 0 ? model.SizeBytes : null,
            MemoryBytes = p?.Size,
            VramBytes = p?.SizeVram,
            GpuPercent = p is null || p.Size <= 0 ? null : (int)Math.Round(Math.Min(p.SizeVram, p.Size) * 100.0 / p.Size, MidpointRounding.AwayFromZero),
            Processor = p is null ? null : Units.Processor(p.Size, p.SizeVram),
            ContextLength = p?.ContextLength is > 0 ? p.ContextLength : null,
            PromptSet = string.IsNullOrWhiteSpace(_settings.Prompt) ? TaskClassifier.Name(_settings.PromptSet) : "custom",
            Warmup = _settings.Warmup,
            MaxTokens = _settings.MaxTokens,
            Temperature = _settings.Temperature,
            Seed = _settings.Seed,
            ServerVersion = f.Version,
            IsLocalServer = OllamaEndpoint.IsLocal(_client.Endpoint),
            MachineName = m?.MachineName,
            OperatingSystem = m?.OperatingSystem,
            Cpu = m?.CpuName,
            LogicalProcessors = m?.LogicalProcessors,
            CpuPercent = f.CpuPercent,
            MemoryTotalBytes = m?.TotalMemoryBytes,
            MemoryAvailableBytes = m?.AvailableMemoryBytes,
            Gpus = m is null || m.Gpus.Count == 0 ? null : string.Join("; ", m.Gpus.Select(g => g.ToString())),
            MeasuredAt = f.MeasuredAt,
            Duration = f.Duration,
            Runs = runs.ToArray(),
            WarmupRuns = warmups.ToArray(),
        };
    }

    private async Task<HostResources?> ReadMachineAsync(CancellationToken ct)
    {
        if (_probe is null)
        {
            return null;
        }

        try
        {
            return await _probe.ReadAsync(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The machine facts are context for the numbers, not the numbers; measure without them.
            return null;
        }
    }

    private static async Task<T?> TryAsync<T>(Func<Task<T>> read)
        where T : class
    {
        try
        {
            return await read().ConfigureAwait(false);
        }
        catch (OllamaException)
        {
            return null;
        }
    }

    private static WireRunningModel? Find(IReadOnlyList<WireRunningModel>? running, string name) =>
        running?.FirstOrDefault(r => ModelName.SameModel(r.Name, name));

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double? NsToMs(long? ns) => ns is { } v ? v / 1e6 : null;

    private static double? Rate(int? count, long? ns) => count is > 0 && ns is > 0 ? count.Value / (ns.Value / 1e9) : null;

    private sealed record MeasureFacts(
        DateTimeOffset MeasuredAt,
        TimeSpan Duration,
        double? LoadMs,
        bool WasLoaded,
        WireRunningModel? Placement,
        string? Version,
        HostResources? Machine,
        double? CpuPercent,
        int ShortRuns);
}
