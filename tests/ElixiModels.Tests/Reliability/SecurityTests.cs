using System;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Ollama;
using ElixiModels.Tests.Harness;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Reliability;

public sealed class SecurityTests
{
    [Fact]
    public async Task Prompts_and_responses_never_reach_the_verbose_or_debug_streams()
    {
        await using var sim = new SimulatedOllama();
        await sim.InitializeAsync();
        const string marker = "CONFIDENTIAL-PROMPT-7f3a";
        // 4>&1 and 5>&1 bring every Verbose and Debug record into the output, where the test can read them all.
        PsResult r = sim.Ps.Invoke(
            "Switch-OllamaModel gemma3:1b -Verbose -Debug 4>&1 5>&1; " +
            "Measure-OllamaModel gemma3:1b -Prompt $args[0] -Count 2 -Warmup 1 -MaxTokens 16 -Verbose -Debug 4>&1 5>&1; " +
            "Measure-OllamaModel gemma3:1b -Task Coding -Count 1 -Warmup 0 -MaxTokens 8 -Verbose -Debug 4>&1 5>&1",
            $"Summarise the contract {marker} in one line.");

        r.AssertNoErrors();
        string[] diagnostics = r.Output.Select(o => o.BaseObject).OfType<InformationalRecord>().Select(i => i.Message).ToArray();
        Assert.NotEmpty(diagnostics);
        Assert.Contains(r.Output, o => o.BaseObject.GetType().Name == "BenchmarkResult");
        // Every prompt the server received, the user's and the built-in benchmark prompts alike.
        string[] prompts = sim.State.Log.Entries.Where(e => e.Path == "/api/generate" || e.Path == "/api/chat")
            .Select(e => System.Text.Json.JsonDocument.Parse(e.Body).RootElement)
            .Select(j => j.TryGetProperty("prompt", out System.Text.Json.JsonElement p) ? p.GetString() : null)
            .Where(p => !string.IsNullOrEmpty(p)).Select(p => p!).Distinct().ToArray();
        Assert.Contains(prompts, p => p.Contains(marker, StringComparison.Ordinal));
        Assert.All(diagnostics, m =>
        {
            Assert.DoesNotContain(marker, m);
            Assert.DoesNotContain("\"response\"", m);
            Assert.All(prompts, p => Assert.DoesNotContain(p.Length > 40 ? p.Substring(0, 40) : p, m));
        });
    }

    [Fact]
    public async Task The_api_key_is_sent_as_a_bearer_token_and_never_shown()
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        const string secret = "sk-test-0123456789abcdef";
        var client = new OllamaClient(sim.BaseUri, new OllamaClientOptions { ApiKey = secret });
        await client.ListInstalledAsync(CancellationToken.None);
        Assert.Equal("Bearer " + secret, sim.State.Log.Entries.Single(e => e.Path == "/api/tags").Authorization);

        sim.State.Faults.FailNext("/api/tags", 401, "unauthorized", 5);
        OllamaException ex = await Assert.ThrowsAsync<OllamaException>(() => client.ListInstalledAsync(CancellationToken.None));
        Assert.Equal(OllamaErrorKind.Unauthorized, ex.Kind);
        Assert.DoesNotContain(secret, ex.Message);
        Assert.DoesNotContain(secret, ex.ToString());
    }

    [Fact]
    public async Task Without_a_key_no_authorization_header_is_sent()
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        await new OllamaClient(sim.BaseUri, new OllamaClientOptions { ApiKey = null }).ListInstalledAsync(CancellationToken.None);
        Assert.Null(sim.State.Log.Entries.Single().Authorization);
    }

    [Fact]
    public async Task A_certificate_the_machine_does_not_trust_is_an_error_with_no_bypass()
    {
        using X509Certificate2 cert = SelfSigned();
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        int port = ((IPEndPoint)listener.LocalEndpoint).Port;
        using var stop = new CancellationTokenSource();
        Task server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                TcpClient tcp;
                try
                {
                    tcp = await listener.AcceptTcpClientAsync(stop.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }

                _ = Task.Run(async () =>
                {
                    using (tcp)
                    using (var ssl = new SslStream(tcp.GetStream()))
                    {
                        try
                        {
                            await ssl.AuthenticateAsServerAsync(cert);
                        }
                        catch (Exception)
                        {
                            // The client rejects the certificate: that is the point.
                        }
                    }
                });
            }
        });

        using PsSession ps = PsSession.Start();
        PsResult r = ps.Invoke("Get-OllamaModel -Uri $args[0] -TimeoutSec 10", $"https://127.0.0.1:{port}");
        stop.Cancel();
        listener.Stop();
        await server.WaitAsync(TimeSpan.FromSeconds(10));
        FaultMatrixTests.AssertClearError(r, "OllamaTlsError", System.Management.Automation.ErrorCategory.SecurityError, null);
        Assert.Contains("TLS", r.Errors[0].Exception.Message);
    }

    [Fact]
    public void Model_names_are_validated_before_they_reach_a_url()
    {
        Assert.False(ElixiModels.Models.ModelName.TryParse("../../api/delete", out _, out _));
        Assert.False(ElixiModels.Models.ModelName.TryParse("x?model=y", out _, out _));
        Assert.False(ElixiModels.Models.ModelName.TryParse("a%2F..%2Fb", out _, out _));
    }

    private static X509Certificate2 SelfSigned()
    {
        using RSA rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using X509Certificate2 cert = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        return X509CertificateLoader.LoadPkcs12(cert.Export(X509ContentType.Pfx), null);
    }
}
