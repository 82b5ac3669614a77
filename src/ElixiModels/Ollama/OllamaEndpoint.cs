using System;
using System.Globalization;
using System.Net;

namespace ElixiModels.Ollama;

/// <summary>Resolves an Ollama server address the way the Ollama CLI resolves OLLAMA_HOST.</summary>
public static class OllamaEndpoint
{
    /// <summary>The address used when neither -Uri nor OLLAMA_HOST says otherwise.</summary>
    public static readonly Uri Default = new("http://127.0.0.1:11434/");

    /// <summary>The environment variable Ollama itself reads.</summary>
    public const string HostVariable = "OLLAMA_HOST";

    /// <summary>The address from OLLAMA_HOST, or <see cref="Default"/>.</summary>
    public static Uri FromEnvironment() => Parse(Environment.GetEnvironmentVariable(HostVariable));

    /// <summary>
    /// Parses <c>host</c>, <c>host:port</c> or <c>scheme://host[:port][/path]</c>. A missing scheme means http with
    /// port 11434; an explicit http:// without a port means 80 and https:// 443; 0.0.0.0 and :: mean loopback.
    /// </summary>
    /// <exception cref="FormatException">The value cannot name an Ollama server.</exception>
    public static Uri Parse(string? value)
    {
        string s = (value ?? string.Empty).Trim();
        if (s.Length == 0)
        {
            return Default;
        }

        string scheme = "http";
        string defaultPort = "11434";
        string hostPort = s;
        int sep = s.IndexOf("://", StringComparison.Ordinal);
        if (sep >= 0)
        {
            scheme = s.Substring(0, sep).ToLowerInvariant();
            hostPort = s.Substring(sep + 3);
            defaultPort = scheme switch
            {
                "http" => "80",
                "https" => "443",
                _ => throw new FormatException($"'{value}' uses the scheme '{scheme}'; Ollama is reached over http or https."),
            };
        }

        string path = string.Empty;
        int slash = hostPort.IndexOf('/');
        if (slash >= 0)
        {
            path = hostPort.Substring(slash + 1);
            hostPort = hostPort.Substring(0, slash);
        }

        if (hostPort.IndexOfAny(new[] { ' ', '\t', '@', '\\', '?', '#' }) >= 0)
        {
            throw new FormatException($"'{value}' is not a valid Ollama address: the host part '{hostPort}' has characters a host name cannot have.");
        }

        string host;
        string port;
        if (!TrySplitHostPort(hostPort, out host, out port))
        {
            host = "127.0.0.1";
            port = defaultPort;
            string trimmed = hostPort.Trim('[', ']');
            if (IPAddress.TryParse(trimmed, out IPAddress? ip))
            {
                host = ip.ToString();
            }
            else if (hostPort.Length > 0)
            {
                host = hostPort;
            }
        }

        if (!int.TryParse(port, NumberStyles.None, CultureInfo.InvariantCulture, out int portNumber) || portNumber > 65535)
        {
            // Ollama warns and falls back to the default port; an explicit bad port is more likely a typo, so say so.
            throw new FormatException($"'{value}' has an invalid port '{port}'.");
        }

        host = host switch
        {
            "" or "0.0.0.0" => "127.0.0.1",
            "::" or "0:0:0:0:0:0:0:0" => "[::1]",
            _ => host.Contains(":") ? "[" + host.Trim('[', ']') + "]" : host,
        };

        string text = $"{scheme}://{host}:{portNumber}/{(path.Length > 0 ? path.TrimEnd('/') + "/" : string.Empty)}";
        if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || uri.HostNameType == UriHostNameType.Unknown)
        {
            throw new FormatException($"'{value}' is not a valid Ollama address.");
        }

        return uri;
    }

    /// <summary>The canonical text of an endpoint, used as the Host of every object and as a cache key.</summary>
    public static string Display(Uri endpoint) => endpoint.GetLeftPart(UriPartial.Path).TrimEnd('/');

    /// <summary>
    /// Whether the server runs on this machine (loopback, "localhost", this machine's name, or the any-address a
    /// server binds to, as OLLAMA_HOST=0.0.0.0), so that this machine's memory, disk and GPUs are the server's. The one
    /// rule every command uses.
    /// </summary>
    public static bool IsLocal(Uri endpoint)
    {
        if (endpoint.IsLoopback)
        {
            return true;
        }

        string host = endpoint.IdnHost.Trim('[', ']');
        return string.Equals(host, Environment.MachineName, StringComparison.OrdinalIgnoreCase)
            || string.Equals(host, Environment.MachineName + ".local", StringComparison.OrdinalIgnoreCase)
            || (System.Net.IPAddress.TryParse(host, out System.Net.IPAddress? ip) && (ip.Equals(System.Net.IPAddress.Any) || ip.Equals(System.Net.IPAddress.IPv6Any)));
    }

    private static bool TrySplitHostPort(string hostPort, out string host, out string port)
    {
        host = port = string.Empty;
        if (hostPort.StartsWith("[", StringComparison.Ordinal))
        {
            int close = hostPort.IndexOf(']');
            if (close < 0 || close + 1 >= hostPort.Length || hostPort[close + 1] != ':')
            {
                return false;
            }

            host = hostPort.Substring(1, close - 1);
            port = hostPort.Substring(close + 2);
            return true;
        }

        int colon = hostPort.LastIndexOf(':');
        if (colon < 0 || hostPort.IndexOf(':') != colon)
        {
            // No port, or a bare IPv6 address (several colons, no brackets).
            return false;
        }

        host = hostPort.Substring(0, colon);
        port = hostPort.Substring(colon + 1);
        return true;
    }
}
