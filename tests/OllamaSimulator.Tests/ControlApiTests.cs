using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace OllamaSimulator.Tests;

/// <summary>The /_simulator/ control API the out-of-process Pester suite uses.</summary>
public sealed class ControlApiTests : IAsyncLifetime
{
    private Sim _sim = null!;

    public async Task InitializeAsync() => _sim = await Sim.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    [Fact]
    public async Task Faults_set_over_http_apply_and_reset_clears_them()
    {
        (await _sim.PostAsync("/_simulator/faults", "{\"failNext\":{\"path\":\"/api/tags\",\"status\":503,\"error\":\"server busy\",\"times\":1}}")).EnsureSuccessStatusCode();
        HttpResponseMessage busy = await _sim.Client.GetAsync("/api/tags");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
        Assert.Contains("server busy", await busy.Content.ReadAsStringAsync());

        (await _sim.PostAsync("/_simulator/faults", "{\"refuseConnections\":true}")).EnsureSuccessStatusCode();
        Assert.True(_sim.State.Faults.RefuseConnections);
        (await _sim.PostAsync("/_simulator/reset", "")).EnsureSuccessStatusCode();
        Assert.False(_sim.State.Faults.RefuseConnections);
        Assert.Empty(_sim.State.Log.Entries);
    }

    [Fact]
    public async Task Log_lists_api_requests_but_not_control_requests()
    {
        await _sim.Client.GetStringAsync("/api/tags");
        await _sim.PostAsync("/api/show", "{\"model\":\"llama3.2:3b\"}");
        using JsonDocument all = JsonDocument.Parse(await _sim.Client.GetStringAsync("/_simulator/log"));
        Assert.Equal(2, all.RootElement.GetArrayLength());
        using JsonDocument shows = JsonDocument.Parse(await _sim.Client.GetStringAsync("/_simulator/log?path=/api/show"));
        Assert.Equal("llama3.2:3b", Assert.Single(shows.RootElement.EnumerateArray()).GetProperty("model").GetString());
    }

    [Fact]
    public async Task Remote_digest_makes_a_model_outdated_for_the_registry()
    {
        string digest = new string('a', 64);
        (await _sim.PostAsync("/_simulator/remote-digest", $"{{\"name\":\"llama3.2:3b\",\"digest\":\"{digest}\"}}")).EnsureSuccessStatusCode();
        using var head = new HttpRequestMessage(HttpMethod.Head, "/v2/library/llama3.2/manifests/3b");
        HttpResponseMessage r = await _sim.Client.SendAsync(head);
        Assert.Contains(digest, string.Join(",", r.Headers.GetValues("ollama-content-digest")));
    }
}
