using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Catalog;
using ElixiModels.Models;
using ElixiModels.Ollama;
using OllamaSimulator;
using ModelName = ElixiModels.Models.ModelName;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class RegistryClientTests
{
    [Theory]
    [InlineData("https://registry.ollama.ai", "https://registry.ollama.ai/")]
    [InlineData("http://127.0.0.1:5000/", "http://127.0.0.1:5000/")]
    [InlineData("mirror.example.com:8443", "https://mirror.example.com:8443/")]
    [InlineData("https://example.com/ollama/", "https://example.com/ollama/")]
    public void Resolves_registry_addresses(string text, string expected)
    {
        Assert.Equal(expected, RegistryClient.Resolve(text).ToString());
    }

    [Theory]
    [InlineData("ftp://example.com")]
    [InlineData("https://example.com/?x=1")]
    [InlineData("http://")]
    public void Refuses_what_is_not_a_registry(string text)
    {
        Assert.Throws<FormatException>(() => RegistryClient.Resolve(text));
    }

    [Theory]
    [InlineData("llama3.2:3b", "v2/library/llama3.2/manifests/3b")]
    [InlineData("nomic-embed-text", "v2/library/nomic-embed-text/manifests/latest")]
    [InlineData("someone/model:q4", "v2/someone/model/manifests/q4")]
    public void Library_models_live_in_the_library_namespace(string name, string path)
    {
        Assert.Equal(path, RegistryClient.ManifestPath(ModelName.Parse(name)));
    }

    [Theory]
    [InlineData("sha256:ABCDEF", "abcdef")]
    [InlineData("\"sha256:abc\"", "abc")]
    [InlineData("abc", "abc")]
    public void Digests_are_compared_without_prefix_or_case(string digest, string expected)
    {
        Assert.Equal(expected, RegistryClient.NormalizeDigest(digest));
    }

    [Fact]
    public async Task Update_checker_finds_the_model_whose_registry_digest_changed()
    {
        await using SimulatorServer sim = await SimulatorServer.StartAsync(SimulatorState.CreateDefault());
        sim.State.SetRemoteDigest("phi3:mini", new string('e', 64));
        var installed = sim.State.Installed.Select(m => new WireModel { Name = m.Name, Digest = m.Digest })
            .Append(new WireModel { Name = "my-own:latest", Digest = new string('1', 64) })
            .Append(new WireModel { Name = "gpt-oss:120b-cloud", Digest = new string('2', 64), RemoteHost = "https://ollama.com:443" })
            .ToList();

        var checker = new UpdateChecker(new RegistryClient(sim.BaseUri));
        var checks = await checker.CheckAsync(installed, CancellationToken.None);

        Assert.Equal(installed.Select(m => ModelName.Normalize(m.Name)), checks.Select(c => c.Name));
        UpdateCheck phi = checks.Single(c => c.Status == UpdateStatus.Outdated);
        Assert.Equal("phi3:mini", phi.Name);
        Assert.Equal(new string('e', 64), phi.RemoteDigest);
        Assert.Equal(UpdateStatus.NotInRegistry, checks.Single(c => c.Name == "my-own:latest").Status);
        Assert.Equal(UpdateStatus.Skipped, checks.Single(c => c.Name == "gpt-oss:120b-cloud").Status);
        Assert.Equal(sim.State.Installed.Count - 1, checks.Count(c => c.Status == UpdateStatus.UpToDate));
        // One HEAD per library model and for the local one; none for the cloud model.
        Assert.Equal(sim.State.Installed.Count + 1, sim.State.Log.Entries.Count(e => e.Method == "HEAD" && e.Path.StartsWith("/v2/library/", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Update_checker_reports_an_unreachable_registry_per_model_without_throwing()
    {
        var checker = new UpdateChecker(new RegistryClient(Harness.SimulatedOllama.DeadUri(), TimeSpan.FromSeconds(2)));
        var checks = await checker.CheckAsync(new[] { new WireModel { Name = "llama3.2:3b", Digest = "abc" } }, CancellationToken.None);
        UpdateCheck check = Assert.Single(checks);
        Assert.Equal(UpdateStatus.Failed, check.Status);
        Assert.Contains("cannot reach", check.Problem);
    }
}
