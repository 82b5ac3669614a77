using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Ollama;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class NdjsonReaderTests
{
    [Theory]
    [InlineData("{\"a\":1}\n{\"b\":2}\n", new[] { "{\"a\":1}", "{\"b\":2}" })]
    [InlineData("{\"a\":1}\r\n\r\n{\"b\":2}", new[] { "{\"a\":1}", "", "{\"b\":2}" })]
    [InlineData("", new string[0])]
    [InlineData("{\"status\":\"pulling ü\"}\n", new[] { "{\"status\":\"pulling ü\"}" })]
    public async Task Splits_lines_whatever_the_read_sizes(string text, string[] expected)
    {
        foreach (int chunk in new[] { 1, 3, 7, 4096 })
        {
            var reader = new NdjsonReader(new TrickleStream(Encoding.UTF8.GetBytes(text), chunk));
            var lines = new List<string>();
            while (await reader.ReadLineAsync(CancellationToken.None) is { } line)
            {
                lines.Add(line);
            }

            Assert.Equal(expected, lines);
        }
    }

    [Theory]
    [InlineData(1000, 999, true)]
    [InlineData(1000, 1000, true)]
    [InlineData(1000, 1001, false)]
    public async Task A_line_longer_than_the_cap_is_refused_before_it_is_buffered(int cap, int length, bool accepted)
    {
        foreach (bool newline in new[] { true, false })
        {
            var reader = new NdjsonReader(new MemoryStream(Encoding.UTF8.GetBytes(new string('x', length) + (newline ? "\n" : string.Empty))), cap);
            if (accepted)
            {
                Assert.Equal(length, (await reader.ReadLineAsync(CancellationToken.None))!.Length);
            }
            else
            {
                InvalidDataException ex = await Assert.ThrowsAsync<InvalidDataException>(() => reader.ReadLineAsync(CancellationToken.None));
                Assert.Contains("longer than", ex.Message);
            }
        }
    }

    [Fact]
    public async Task A_long_line_spans_many_buffers()
    {
        string big = new('x', 100_000);
        var reader = new NdjsonReader(new MemoryStream(Encoding.UTF8.GetBytes(big + "\nend\n")));
        Assert.Equal(big, await reader.ReadLineAsync(CancellationToken.None));
        Assert.Equal("end", await reader.ReadLineAsync(CancellationToken.None));
        Assert.Null(await reader.ReadLineAsync(CancellationToken.None));
    }

    private sealed class TrickleStream : MemoryStream
    {
        private readonly int _chunk;

        public TrickleStream(byte[] data, int chunk)
            : base(data)
        {
            _chunk = chunk;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            base.ReadAsync(buffer, offset, Math.Min(count, _chunk), cancellationToken);
    }
}

/// <summary>A cancelled stream read must not wait for .NET to drain the rest of a slow response.</summary>
[Collection("LifecycleTiming")]
public class StreamCancellationTests
{
    [Fact]
    public async Task A_cancelled_pull_unwinds_at_once()
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        sim.State.Faults.PullBytesPerSecond = 50_000_000;
        var client = new OllamaClient(sim.BaseUri);
        using var cts = new CancellationTokenSource();
        int lines = 0;
        Task pull = client.PullAsync("mistral:7b", false, _ => Interlocked.Increment(ref lines), cts.Token);
        while (Volatile.Read(ref lines) < 5)
        {
            await Task.Delay(20);
        }

        Stopwatch watch = Stopwatch.StartNew();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => pull);
        Assert.True(watch.Elapsed < TimeSpan.FromMilliseconds(300), $"unwound in {watch.ElapsedMilliseconds} ms");
    }
}
