using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.History;
using ElixiModels.Models;
using Xunit;

namespace ElixiModels.Tests.Unit;

public sealed class BenchmarkHistoryTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "elixi-history-test-" + Guid.NewGuid().ToString("N"));

    private string FilePath => Path.Combine(_dir, BenchmarkHistory.FileName);

    private static BenchmarkResult Result(string name = "phi3:mini", int minute = 0, string digest = "abc123", double tps = 40, string host = "http://127.0.0.1:11434") => new()
    {
        Name = name,
        Host = host,
        Digest = digest,
        RequestedRuns = 2,
        RunCount = 2,
        SuccessCount = 2,
        IsComplete = true,
        GenerateTpsMedian = tps,
        TtftMsMedian = 55.5,
        PromptSet = "custom",
        MaxTokens = 64,
        Seed = 42,
        SizeBytes = 2_176_178_913,
        IsLocalServer = true,
        MachineName = "box",
        MeasuredAt = new DateTimeOffset(2026, 11, 29, 20, minute, 0, TimeSpan.Zero),
        Duration = TimeSpan.FromSeconds(3.25),
        Runs = new[] { new BenchmarkRun { Run = 1, Prompt = "SECRET PROMPT TEXT", Succeeded = true } },
    };

    [Fact]
    public async Task A_record_round_trips_the_summary_and_never_holds_the_runs_or_their_prompts()
    {
        var history = new BenchmarkHistory(FilePath);
        await history.AppendAsync(Result(), CancellationToken.None);

        string text = File.ReadAllText(FilePath);
        Assert.DoesNotContain("SECRET", text);
        Assert.DoesNotContain("\"Runs\"", text);
        (IReadOnlyList<BenchmarkResult> records, int damaged) = await history.ReadAsync(CancellationToken.None);
        Assert.Equal(0, damaged);
        BenchmarkResult r = Assert.Single(records);
        Assert.Equal(("phi3:mini", "abc123", 40.0, 55.5, 2_176_178_913L), (r.Name, r.Digest, r.GenerateTpsMedian!.Value, r.TtftMsMedian!.Value, r.SizeBytes!.Value));
        Assert.Equal(Result().MeasuredAt, r.MeasuredAt);
        Assert.Equal(TimeSpan.FromSeconds(3.25), r.Duration);
        Assert.Equal(BenchmarkSource.History, r.Source);
        Assert.Empty(r.Runs);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("{\"schema\":1,\"Name\":\"x\"")]
    [InlineData("{\"Name\":\"phi3:mini\",\"Host\":\"h\"}")]
    [InlineData("{\"schema\":1,\"Name\":\"phi3:mini\",\"Host\":\"h\",\"MeasuredAt\":\"yesterday\"}")]
    [InlineData("{\"schema\":1,\"Name\":\"phi3:mini\",\"Host\":\"h\",\"MeasuredAt\":\"2026-11-29T20:00:00+00:00\",\"RunCount\":\"many\"}")]
    [InlineData("[1,2]")]
    public async Task A_damaged_line_is_skipped_and_counted_the_others_are_read(string damagedLine)
    {
        var history = new BenchmarkHistory(FilePath);
        await history.AppendAsync(Result(minute: 1), CancellationToken.None);
        File.AppendAllText(FilePath, damagedLine + "\n");
        await history.AppendAsync(Result(minute: 2), CancellationToken.None);

        (IReadOnlyList<BenchmarkResult> records, int damaged) = await history.ReadAsync(CancellationToken.None);
        Assert.Equal(1, damaged);
        Assert.Equal(new[] { 1, 2 }, records.Select(r => r.MeasuredAt.Minute));
    }

    [Fact]
    public async Task A_line_torn_by_a_dead_writer_costs_only_that_line()
    {
        var history = new BenchmarkHistory(FilePath);
        await history.AppendAsync(Result(minute: 1), CancellationToken.None);
        File.AppendAllText(FilePath, BenchmarkHistory.ToLine(Result(minute: 2)).AsSpan(0, 40));
        await history.AppendAsync(Result(minute: 3), CancellationToken.None);

        (IReadOnlyList<BenchmarkResult> records, int damaged) = await history.ReadAsync(CancellationToken.None);
        Assert.Equal(1, damaged);
        Assert.Equal(new[] { 1, 3 }, records.Select(r => r.MeasuredAt.Minute));
    }

    [Fact]
    public async Task The_store_keeps_the_newest_records_up_to_its_bound()
    {
        var history = new BenchmarkHistory(FilePath, maxRecords: 3);
        for (int i = 1; i <= 5; i++)
        {
            await history.AppendAsync(Result(minute: i), CancellationToken.None);
        }

        (IReadOnlyList<BenchmarkResult> records, _) = await history.ReadAsync(CancellationToken.None);
        Assert.Equal(new[] { 3, 4, 5 }, records.Select(r => r.MeasuredAt.Minute));
    }

    [Fact]
    public async Task Threads_appending_at_once_lose_nothing()
    {
        var history = new BenchmarkHistory(FilePath);
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(async () =>
        {
            for (int i = 0; i < 10; i++)
            {
                await history.AppendAsync(Result(name: $"m{t}:{i}"), CancellationToken.None);
            }
        })));

        (IReadOnlyList<BenchmarkResult> records, int damaged) = await history.ReadAsync(CancellationToken.None);
        Assert.Equal((80, 0), (records.Count, damaged));
    }

    [Fact]
    public async Task Remove_deletes_what_it_is_asked_to_and_drops_damaged_lines()
    {
        var history = new BenchmarkHistory(FilePath);
        await history.AppendAsync(Result("phi3:mini", 1), CancellationToken.None);
        File.AppendAllText(FilePath, "garbage\n");
        await history.AppendAsync(Result("llama3.2:3b", 2), CancellationToken.None);

        int removed = await history.RemoveAsync(r => r.Name == "phi3:mini", CancellationToken.None);
        Assert.Equal(1, removed);
        (IReadOnlyList<BenchmarkResult> records, int damaged) = await history.ReadAsync(CancellationToken.None);
        Assert.Equal(("llama3.2:3b", 0), (Assert.Single(records).Name, damaged));
    }

    [Theory]
    [InlineData("abc123", "http://127.0.0.1:11434", "box", true)]
    [InlineData("ABC123", "http://127.0.0.1:11434", "box", true)]
    [InlineData("def456", "http://127.0.0.1:11434", "box", false)]   // re-pulled: another build of the model
    [InlineData(null, "http://127.0.0.1:11434", "box", false)]       // digest unknown: not trusted
    [InlineData("abc123", "http://127.0.0.1:11435", "box", false)]   // another server
    [InlineData("abc123", "http://127.0.0.1:11434", "other", false)] // a local server, but measured on another machine
    public void A_saved_result_is_used_only_for_the_same_server_digest_and_machine(string? digest, string host, string machine, bool used)
    {
        BenchmarkResult? found = BenchmarkQuery.ForModel(new[] { Result() }, host, "phi3:mini", digest, machine);
        Assert.Equal(used, found is not null);
    }

    [Fact]
    public void ForModel_takes_the_newest_successful_result()
    {
        BenchmarkResult failed = new() { Name = "phi3:mini", Host = "http://127.0.0.1:11434", Digest = "abc123", RunCount = 2, MeasuredAt = Result(minute: 9).MeasuredAt };
        BenchmarkResult? found = BenchmarkQuery.ForModel(new[] { Result(minute: 1, tps: 10), Result(minute: 5, tps: 50), failed }, "http://127.0.0.1:11434", "phi3:mini", "abc123", "box");
        Assert.Equal(50, found!.GenerateTpsMedian);
    }

    [Fact]
    public void Merge_lists_newest_first_and_a_result_in_both_once_as_the_sessions()
    {
        BenchmarkResult session = Result(minute: 5);
        BenchmarkResult? saved = BenchmarkHistory.FromLine(BenchmarkHistory.ToLine(session));
        List<BenchmarkResult> all = BenchmarkQuery.Merge(new[] { session }, new[] { Result(minute: 1), saved!, Result(minute: 7) });
        Assert.Equal(new[] { 7, 5, 1 }, all.Select(r => r.MeasuredAt.Minute));
        Assert.Same(session, all[1]);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
