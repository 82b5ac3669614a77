using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ElixiModels.Ollama;

/// <summary>
/// The proxy rules of Ollama's own Go client (golang.org/x/net/http/httpproxy): HTTP_PROXY for http, HTTPS_PROXY for
/// https (upper or lower case), NO_PROXY ("*", host names and domain suffixes, IP addresses and CIDR ranges, an
/// optional :port), and requests to loopback (localhost, 127.0.0.0/8, ::1) never through a proxy. Where neither
/// variable is set, the platform's proxy settings apply (Windows' system proxy), loopback still excepted.
/// </summary>
public sealed class EnvironmentProxy : IWebProxy
{
    private static readonly char[] NoProxySeparators = { ',', ' ' };
    private static readonly char[] UserInfoSeparator = { ':' };

    private readonly Func<string, string?> _env;
    private readonly IWebProxy? _system;

    /// <summary>Rules read from this process's environment on every request (so a changed variable applies at once).</summary>
    public static EnvironmentProxy Instance { get; } = new(Environment.GetEnvironmentVariable, SystemProxy());

    public EnvironmentProxy(Func<string, string?> environment, IWebProxy? system = null)
    {
        _env = environment ?? throw new ArgumentNullException(nameof(environment));
        _system = system;
    }

    /// <summary>The user and password written in the proxy URL, when there are any.</summary>
    public ICredentials? Credentials
    {
        get => new UrlCredentials(this);
        set { }
    }

    /// <summary>The proxy a request to <paramref name="destination"/> goes through, and the variable that named it; null for none.</summary>
    public (Uri Proxy, string Source)? ProxyFor(Uri destination)
    {
        if (destination is null || !destination.IsAbsoluteUri || IsLoopback(destination.Host))
        {
            return null;
        }

        bool https = string.Equals(destination.Scheme, "https", StringComparison.OrdinalIgnoreCase);
        string name = https ? "HTTPS_PROXY" : "HTTP_PROXY";
        string? value = Var(name, out string source);
        if (value is null)
        {
            if (Var("HTTP_PROXY", out _) is not null || Var("HTTPS_PROXY", out _) is not null)
            {
                return null; // the environment configures proxies, just not for this scheme
            }

            if (_system is null || _system.IsBypassed(destination))
            {
                return null;
            }

            Uri? system = _system.GetProxy(destination);
            return system is null || system == destination ? null : (system, "the system proxy settings");
        }

        if (Bypassed(destination, Var("NO_PROXY", out _)))
        {
            return null;
        }

        // Go accepts "host:port" without a scheme and means http://.
        string text = value.Contains("://") ? value : "http://" + value;
        return Uri.TryCreate(text, UriKind.Absolute, out Uri? proxy) ? (proxy, source) : null;
    }

    public Uri? GetProxy(Uri destination) => ProxyFor(destination)?.Proxy ?? destination;

    public bool IsBypassed(Uri host) => ProxyFor(host) is null;

    /// <summary>Credentials in the proxy URL (http://user:password@proxy:3128).</summary>
    internal static NetworkCredential? CredentialsOf(Uri proxy)
    {
        if (string.IsNullOrEmpty(proxy.UserInfo))
        {
            return null;
        }

        string[] parts = proxy.UserInfo.Split(UserInfoSeparator, 2);
        return new NetworkCredential(Uri.UnescapeDataString(parts[0]), parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : string.Empty);
    }

    /// <summary>The proxy URL without its credentials, for messages.</summary>
    internal static string Display(Uri proxy) => proxy.GetLeftPart(UriPartial.Authority).Replace(proxy.UserInfo + "@", string.Empty);

    private sealed class UrlCredentials : ICredentials
    {
        private readonly EnvironmentProxy _owner;

        public UrlCredentials(EnvironmentProxy owner) => _owner = owner;

        public NetworkCredential? GetCredential(Uri uri, string authType)
        {
            foreach (string name in new[] { "HTTPS_PROXY", "HTTP_PROXY" })
            {
                string? v = _owner.Var(name, out _);
                if (v is not null && Uri.TryCreate(v.Contains("://") ? v : "http://" + v, UriKind.Absolute, out Uri? proxy)
                    && string.Equals(proxy.Host, uri.Host, StringComparison.OrdinalIgnoreCase) && proxy.Port == uri.Port)
                {
                    return CredentialsOf(proxy);
                }
            }

            return null;
        }
    }

    private string? Var(string name, out string source)
    {
        foreach (string candidate in new[] { name, name.ToLowerInvariant() })
        {
            string? v = _env(candidate);
            if (!string.IsNullOrWhiteSpace(v))
            {
                source = candidate;
                return v!.Trim();
            }
        }

        source = name;
        return null;
    }

    internal static bool IsLoopback(string host)
    {
        string h = host.Trim('[', ']');
        if (string.Equals(h, "localhost", StringComparison.OrdinalIgnoreCase) || h.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        return IPAddress.TryParse(h, out IPAddress? ip) && IPAddress.IsLoopback(ip);
    }

    private static bool Bypassed(Uri destination, string? noProxy)
    {
        if (string.IsNullOrWhiteSpace(noProxy))
        {
            return false;
        }

        string host = destination.Host.Trim('[', ']').ToLowerInvariant();
        _ = IPAddress.TryParse(host, out IPAddress? ip);
        foreach (string raw in noProxy!.Split(NoProxySeparators, StringSplitOptions.RemoveEmptyEntries))
        {
            string entry = raw.Trim().ToLowerInvariant();
            if (entry == "*")
            {
                return true;
            }

            if (entry.IndexOf('/') > 0)
            {
                if (ip is not null && InCidr(ip, entry))
                {
                    return true;
                }

                continue;
            }

            string entryHost = entry;
            int? port = null;
            int colon = entry.LastIndexOf(':');
            if (colon > 0 && entry.IndexOf(':') == colon && int.TryParse(entry.Substring(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int p))
            {
                entryHost = entry.Substring(0, colon);
                port = p;
            }

            entryHost = entryHost.Trim('[', ']');
            if (port is { } only && only != destination.Port)
            {
                continue;
            }

            if (ip is not null && IPAddress.TryParse(entryHost, out IPAddress? entryIp))
            {
                if (ip.Equals(entryIp))
                {
                    return true;
                }

                continue;
            }

            // "example.com" and ".example.com" match the domain and every subdomain.
            string suffix = entryHost.TrimStart('*').TrimStart('.');
            if (suffix.Length > 0 && (host == suffix || host.EndsWith("." + suffix, StringComparison.Ordinal)))
            {
                return true;
            }
        }

        return false;
    }

    private static bool InCidr(IPAddress ip, string cidr)
    {
        string[] parts = cidr.Split('/');
        if (parts.Length != 2 || !IPAddress.TryParse(parts[0], out IPAddress? network) || !int.TryParse(parts[1], out int bits)
            || network.AddressFamily != ip.AddressFamily)
        {
            return false;
        }

        byte[] a = ip.GetAddressBytes();
        byte[] n = network.GetAddressBytes();
        for (int i = 0; i < a.Length && bits > 0; i++, bits -= 8)
        {
            int mask = bits >= 8 ? 0xFF : (0xFF << (8 - bits)) & 0xFF;
            if ((a[i] & mask) != (n[i] & mask))
            {
                return false;
            }
        }

        return true;
    }

    private static IWebProxy? SystemProxy()
    {
        try
        {
            return WebRequest.DefaultWebProxy;
        }
        catch (Exception ex) when (ex is PlatformNotSupportedException or InvalidOperationException or SocketException)
        {
            return null;
        }
    }
}
