using System;
using System.Collections.Generic;
using System.Net;
using ElixiModels.Ollama;
using Xunit;

namespace ElixiModels.Tests.Unit;

/// <summary>The proxy rules of Ollama's Go client (httpproxy.FromEnvironment), with the environment injected.</summary>
public sealed class EnvironmentProxyTests
{
    private const string Proxy = "http://proxy.corp:3128";

    // destination | HTTP_PROXY | HTTPS_PROXY | NO_PROXY | expected proxy (null: direct)
    [Theory]
    [InlineData("http://127.0.0.1:11434/", Proxy, null, null, null)]
    [InlineData("http://localhost:11434/", Proxy, null, null, null)]
    [InlineData("http://[::1]:11434/", Proxy, null, null, null)]
    [InlineData("http://127.8.9.10:11434/", Proxy, null, null, null)]
    [InlineData("http://gpu-box:11434/", Proxy, null, null, Proxy)]
    [InlineData("http://gpu-box:11434/", "proxy.corp:3128", null, null, Proxy)]
    [InlineData("https://gpu-box/", Proxy, null, null, null)]
    [InlineData("https://registry.ollama.ai/", null, Proxy, null, Proxy)]
    [InlineData("http://gpu-box:11434/", Proxy, null, "gpu-box", null)]
    [InlineData("http://gpu-box.lan:11434/", Proxy, null, ".lan", null)]
    [InlineData("http://gpu-box.lan:11434/", Proxy, null, "lan", null)]
    [InlineData("http://notlan:11434/", Proxy, null, "lan", Proxy)]
    [InlineData("http://10.1.2.3:11434/", Proxy, null, "10.0.0.0/8", null)]
    [InlineData("http://11.1.2.3:11434/", Proxy, null, "10.0.0.0/8", Proxy)]
    [InlineData("http://10.1.2.3:11434/", Proxy, null, "10.1.2.3", null)]
    [InlineData("http://gpu-box:11434/", Proxy, null, "gpu-box:8080", Proxy)]
    [InlineData("http://gpu-box:11434/", Proxy, null, "gpu-box:11434", null)]
    [InlineData("http://gpu-box:11434/", Proxy, null, "*", null)]
    [InlineData("http://gpu-box:11434/", Proxy, null, "other, gpu-box", null)]
    public void Chooses_the_proxy_as_ollamas_client_does(string destination, string? http, string? https, string? noProxy, string? expected)
    {
        var env = new Dictionary<string, string?> { ["HTTP_PROXY"] = http, ["HTTPS_PROXY"] = https, ["NO_PROXY"] = noProxy };
        var rules = new EnvironmentProxy(n => env.TryGetValue(n, out string? v) ? v : null);
        var proxy = rules.ProxyFor(new Uri(destination));
        Assert.Equal(expected, proxy?.Proxy.GetLeftPart(UriPartial.Authority));
        Assert.Equal(expected is null, rules.IsBypassed(new Uri(destination)));
    }

    [Fact]
    public void Lower_case_variables_count_and_the_source_is_named()
    {
        var rules = new EnvironmentProxy(n => n == "http_proxy" ? Proxy : null);
        Assert.Equal("http_proxy", rules.ProxyFor(new Uri("http://gpu-box:11434/"))!.Value.Source);
    }

    [Fact]
    public void Without_variables_the_system_proxy_applies_except_to_loopback()
    {
        var rules = new EnvironmentProxy(_ => null, new WebProxy(Proxy));
        Assert.Equal(new Uri(Proxy), rules.ProxyFor(new Uri("http://gpu-box:11434/"))!.Value.Proxy);
        Assert.Null(rules.ProxyFor(new Uri("http://127.0.0.1:11434/")));
    }

    [Fact]
    public void Credentials_in_the_url_are_used_and_never_shown()
    {
        var rules = new EnvironmentProxy(n => n == "HTTP_PROXY" ? "http://me:s%40cret@proxy.corp:3128" : null);
        Uri proxy = rules.ProxyFor(new Uri("http://gpu-box:11434/"))!.Value.Proxy;
        NetworkCredential c = rules.Credentials!.GetCredential(new Uri("http://proxy.corp:3128/"), "Basic")!;
        Assert.Equal("me", c.UserName);
        Assert.Equal("s@cret", c.Password);
        Assert.DoesNotContain("cret", EnvironmentProxy.Display(proxy));
    }
}
