using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Xunit;

namespace OllamaSimulator.Tests;

/// <summary>The scheduler's limits: OLLAMA_MAX_LOADED_MODELS eviction and "model requires more system memory".</summary>
public sealed class MemoryTests : IAsyncLifetime
{
    private Sim _sim = null!;

    public async Task InitializeAsync() => _sim = await Sim.StartAsync();

    public async Task DisposeAsync() => await _sim.DisposeAsync();

    private async Task<HttpResponseMessage> LoadAsync(string model) =>
        await _sim.PostAsync("/api/generate", $"{{\"model\":\"{model}\"}}");

    private async Task<string[]> PsAsync()
    {
        JsonElement ps = await _sim.JsonAsync(HttpMethod.Get, "/api/ps");
        return ps.GetProperty("models").EnumerateArray().Select(m => m.GetProperty("name").GetString()!).OrderBy(n => n).ToArray();
    }

    [Fact]
    public async Task A_fourth_model_unloads_the_one_expiring_soonest()
    {
        Assert.Equal(3, _sim.State.MaxLoadedModels);
        (await _sim.PostAsync("/api/generate", "{\"model\":\"gemma3:1b\",\"keep_alive\":\"1m\"}")).EnsureSuccessStatusCode();
        foreach (string m in new[] { "phi3:mini", "llama3.2:3b", "qwen2.5-coder:7b" })
        {
            (await LoadAsync(m)).EnsureSuccessStatusCode();
        }

        Assert.Equal(new[] { "llama3.2:3b", "phi3:mini", "qwen2.5-coder:7b" }, await PsAsync());

        _sim.State.MaxLoadedModels = 0;
        (await LoadAsync("gemma3:1b")).EnsureSuccessStatusCode();
        Assert.Equal(4, (await PsAsync()).Length);
    }

    [Fact]
    public async Task A_model_that_does_not_fit_fails_as_ollama_does()
    {
        SimModel big = _sim.State.FindInstalled("qwen2.5-coder:7b")!;
        _sim.State.SystemMemoryBytes = big.SizeBytes - 1;
        using HttpResponseMessage r = await LoadAsync("qwen2.5-coder:7b");
        Assert.Equal(500, (int)r.StatusCode);
        string expected = $"{{\"error\":\"model requires more system memory ({SimulatorState.HumanBytes2(big.SizeBytes)}) than is available ({SimulatorState.HumanBytes2(big.SizeBytes - 1)})\"}}";
        Assert.Equal(expected, await r.Content.ReadAsStringAsync());
        Assert.Matches(@"\(\d+\.\d GiB\) than is available \(\d+\.\d GiB\)", expected);
        Assert.Empty(await PsAsync());
    }

    [Fact]
    public async Task Idle_models_make_room_for_one_that_fits_alone()
    {
        SimModel big = _sim.State.FindInstalled("qwen2.5-coder:7b")!;
        _sim.State.SystemMemoryBytes = big.SizeBytes + 100_000_000;
        (await LoadAsync("gemma3:1b")).EnsureSuccessStatusCode();
        (await LoadAsync("qwen2.5-coder:7b")).EnsureSuccessStatusCode();
        Assert.Equal(new[] { "qwen2.5-coder:7b" }, await PsAsync());
    }

    [Theory]
    [InlineData(512L, "512 B")]
    [InlineData(1_939_864L, "1.8 MiB")]
    [InlineData(8_697_308_774L, "8.1 GiB")]
    public void Sizes_are_written_as_ollama_writes_them(long bytes, string text) =>
        Assert.Equal(text, SimulatorState.HumanBytes2(bytes));
}
