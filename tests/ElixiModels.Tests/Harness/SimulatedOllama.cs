using System;
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
