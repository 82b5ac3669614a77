using System;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Ollama;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Unit;

/// <summary>
/// How the client reads a generate stream that ends without its done line: the token-repeat abort (every Ollama),
/// the 0.30+ answers to output that is not valid UTF-8, a dropped connection, and a stream that never ends.
/// </summary>
public sealed class AbortedStreamTests : IAsyncLifetime
{
    private SimulatorServer _sim = null!;

    public async Task InitializeAsync() => _sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private OllamaClient Client => new(_sim.BaseUri);

    private static GenerateOptions Options(int numPredict) => new() { Model = "gemma3:1b", Prompt = "Tell me a story.", NumPredict = numPredict, Temperature = 0 };

    [Fact]
    public async Task A_repeat_abort_returns_the_tokens_so_far_as_an_aborted_answer()
    {
        _sim.State.FindInstalled("gemma3:1b")!.RepeatsAfter = 3;
        int lines = 0;
        GenerateChunk last = await Client.GenerateAsync(Options(300), _ => lines++, CancellationToken.None);
        Assert.True(last.Aborted);
        Assert.False(last.Done);
        Assert.Equal("aborted", last.DoneReason);
        Assert.Equal(34, last.StreamedTokens);
        Assert.Equal(34, lines);
        Assert.Null(last.EvalCount);
    }

    [Theory]
    [InlineData("0.32.15", 3, true)]
    [InlineData("0.32.15", 0, false)]
    [InlineData("0.23.0", 0, true)]
    public async Task Output_that_is_not_valid_utf8_is_short_on_032_and_none_is_no_output(string version, int tokens, bool answers)
    {
        _sim.State.Version = version;
        _sim.State.Faults.InvalidUtf8After("/api/generate", tokens);
        if (answers)
        {
            GenerateChunk last = await Client.GenerateAsync(Options(20), null, CancellationToken.None);
            Assert.Equal(version == "0.23.0" ? 20 : tokens, last.StreamedTokens);
            Assert.Equal(version != "0.23.0", last.Aborted);
            return;
        }

        OllamaException ex = await Assert.ThrowsAsync<OllamaException>(() => Client.GenerateAsync(Options(20), null, CancellationToken.None));
        Assert.Equal(OllamaErrorKind.NoOutput, ex.Kind);
        Assert.Contains("could not return the model's output", ex.Message);
        Assert.Contains("not valid UTF-8", ex.Message);
        Assert.DoesNotContain("crash", ex.Message);
    }

    [Fact]
    public async Task A_connection_that_really_drops_stays_an_error()
    {
        _sim.State.Faults.CutStreamAfter("/api/generate", 3);
        OllamaException ex = await Assert.ThrowsAsync<OllamaException>(() => Client.GenerateAsync(Options(20), null, CancellationToken.None));
        Assert.Equal(OllamaErrorKind.ConnectionLost, ex.Kind);
    }

    [Fact]
    public async Task A_zero_valued_answer_is_no_output()
    {
        await using var server = RawServer.Start(_ => new[] { "{\"model\":\"\",\"created_at\":\"0001-01-01T00:00:00Z\",\"response\":\"\",\"done\":false}" }, endless: false);
        OllamaException ex = await Assert.ThrowsAsync<OllamaException>(() => new OllamaClient(server.Uri).GenerateAsync(Options(20), null, CancellationToken.None));
        Assert.Equal(OllamaErrorKind.NoOutput, ex.Kind);
    }

    [Fact]
    public async Task A_stream_that_never_ends_is_stopped_past_num_predict()
    {
        await using var server = RawServer.Start(i => new[] { $"{{\"model\":\"gemma3:1b\",\"created_at\":\"2026-11-30T01:18:31Z\",\"response\":\"{i}\",\"done\":false}}" }, endless: true);
        var watch = System.Diagnostics.Stopwatch.StartNew();
        GenerateChunk last = await new OllamaClient(server.Uri).GenerateAsync(Options(20), null, CancellationToken.None);
        Assert.True(last.Aborted);
        Assert.Equal(28, last.StreamedTokens); // 20 + max(8, 20 / 10)
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20));
    }

    /// <summary>A one-connection HTTP server that answers 200 NDJSON with the given lines, once or forever.</summary>
    private sealed class RawServer : IAsyncDisposable
    {
        private readonly TcpListener _listener;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;

        private RawServer(Func<int, string[]> lines, bool endless)
        {
            _listener = new TcpListener(IPAddress.Loopback, 0);
            _listener.Start();
            Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
            _loop = Task.Run(() => ServeAsync(lines, endless));
        }

        public Uri Uri { get; }

        public static RawServer Start(Func<int, string[]> lines, bool endless) => new(lines, endless);

        private async Task ServeAsync(Func<int, string[]> lines, bool endless)
        {
            try
            {
                using TcpClient client = await _listener.AcceptTcpClientAsync(_stop.Token);
                using NetworkStream net = client.GetStream();
                var head = new StringBuilder();
                var buffer = new byte[8192];
                while (!head.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                {
                    int n = await net.ReadAsync(buffer, _stop.Token);
                    if (n == 0)
                    {
                        return;
                    }

                    head.Append(Encoding.ASCII.GetString(buffer, 0, n));
                }

                await Write(net, "HTTP/1.1 200 OK\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n");
                for (int i = 0; endless || i == 0; i++)
                {
                    foreach (string line in lines(i))
                    {
                        byte[] data = Encoding.UTF8.GetBytes(line + "\n");
                        await Write(net, $"{data.Length:x}\r\n");
                        await net.WriteAsync(data, _stop.Token);
                        await Write(net, "\r\n");
                    }

                    await Task.Delay(1, _stop.Token);
                }

                await Write(net, "0\r\n\r\n");
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException)
            {
                // The client went away or the test ended.
            }

            async Task Write(NetworkStream s, string text) => await s.WriteAsync(Encoding.ASCII.GetBytes(text), _stop.Token);
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            _listener.Stop();
            await _loop;
            _stop.Dispose();
        }
    }
}
