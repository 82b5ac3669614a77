using ElixiModels.Lifecycle;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class PullFailureTests
{
    [Theory]
    [InlineData("pull model manifest: file does not exist", PullFailureKind.UnknownModel)]
    [InlineData("manifest unknown", PullFailureKind.UnknownModel)]
    [InlineData("pull model manifest: Get \"https://registry.ollama.ai/v2/library/x/manifests/latest\": dial tcp: lookup registry.ollama.ai: no such host", PullFailureKind.RegistryUnreachable)]
    [InlineData("Get \"https://registry.ollama.ai/v2/...\": net/http: TLS handshake timeout", PullFailureKind.RegistryUnreachable)]
    [InlineData("max retries exceeded: Get \"https://dd20bb891979d25aebc8bec07b2b3bbc.r2.cloudflarestorage.com/...\": read tcp: i/o timeout", PullFailureKind.RegistryUnreachable)]
    [InlineData("write /root/.ollama/models/blobs/sha256-abc-partial-0: no space left on device", PullFailureKind.DiskFull)]
    [InlineData("digest mismatch, file must be downloaded again", PullFailureKind.Other)]
    [InlineData("", PullFailureKind.Other)]
    [InlineData(null, PullFailureKind.Other)]
    public void Classifies_the_servers_text(string? text, PullFailureKind kind)
    {
        Assert.Equal(kind, PullFailure.Classify(text));
    }
}
