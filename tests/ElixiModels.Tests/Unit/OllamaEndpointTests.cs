using System;
using ElixiModels.Ollama;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class OllamaEndpointTests
{
    [Theory]
    [InlineData(null, "http://127.0.0.1:11434/")]
    [InlineData("", "http://127.0.0.1:11434/")]
    [InlineData("   ", "http://127.0.0.1:11434/")]
    [InlineData("example.com", "http://example.com:11434/")]
    [InlineData("example.com:1234", "http://example.com:1234/")]
    [InlineData("http://example.com", "http://example.com/")]
    [InlineData("https://example.com", "https://example.com/")]
    [InlineData("http://example.com:1234", "http://example.com:1234/")]
    [InlineData("https://example.com:1234/", "https://example.com:1234/")]
    [InlineData("http://example.com/ollama", "http://example.com/ollama/")]
    [InlineData("0.0.0.0", "http://127.0.0.1:11434/")]
    [InlineData("0.0.0.0:11435", "http://127.0.0.1:11435/")]
    [InlineData(":11435", "http://127.0.0.1:11435/")]
    [InlineData("::", "http://[::1]:11434/")]
    [InlineData("[::]:11434", "http://[::1]:11434/")]
    [InlineData("[::1]:8080", "http://[::1]:8080/")]
    [InlineData("::1", "http://[::1]:11434/")]
    [InlineData("10.0.0.5", "http://10.0.0.5:11434/")]
    [InlineData("HTTP://Example.com:99", "http://example.com:99/")]
    [InlineData("localhost", "http://localhost:11434/")]
    public void Parses_like_ollama(string? value, string expected)
    {
        Assert.Equal(expected, OllamaEndpoint.Parse(value).ToString());
    }

    [Theory]
    [InlineData("ftp://example.com")]
    [InlineData("file:///etc/passwd")]
    [InlineData("example.com:notaport")]
    [InlineData("example.com:99999")]
    [InlineData("http://user@example.com")]
    [InlineData("exa mple.com")]
    public void Rejects_what_cannot_be_an_ollama_server(string value)
    {
        Assert.Throws<FormatException>(() => OllamaEndpoint.Parse(value));
    }

    [Fact]
    public void Display_is_scheme_host_port_without_trailing_slash()
    {
        Assert.Equal("http://127.0.0.1:11434", OllamaEndpoint.Display(OllamaEndpoint.Default));
    }
}
