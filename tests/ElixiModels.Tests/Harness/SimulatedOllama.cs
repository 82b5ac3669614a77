using System;
using System.Net.Http;
using System.Text;
using System.Threading.Tasks;
using OllamaSimulator;
using Xunit;

namespace ElixiModels.Tests.Harness;

/// <summary>A fresh simulator plus a PowerShell session pointed at it, per test.</summary>
public sealed class SimulatedOllama : IAsyncLifetime
{
    public SimulatorServer Server { get; private set; } = null!;

    public SimulatorState State => Server.State;

    public Uri Uri => Server.BaseUri;

    public PsSession Ps { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Server = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        Ps = PsSession.Start(Server.BaseUri);
    }

    public async Task DisposeAsync()
    {
        Ps?.Dispose();
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Loads <paramref name="model"/> into memory, as a client's first request does.</summary>
    public Task LoadAsync(string model) => LoadAsync(Uri, model);

    /// <summary>Loads <paramref name="model"/> on the simulator at <paramref name="server"/> (an empty generate).</summary>
    public static async Task LoadAsync(Uri server, string model)
    {
        using var http = new HttpClient { BaseAddress = server };
        using HttpResponseMessage response = await http.PostAsync("api/generate", new StringContent($"{{\"model\":\"{model}\"}}", Encoding.UTF8, "application/json"));
        response.EnsureSuccessStatusCode();
    }

    /// <summary>An address where nothing listens.</summary>
    public static Uri DeadUri()
    {
        var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        int port = ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }
}
