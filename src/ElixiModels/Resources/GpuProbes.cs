using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>Reads the GPUs of one vendor through its command-line tool; an empty list when the tool is absent.</summary>
public interface IGpuProbe
{
    Task<IReadOnlyList<GpuInfo>> ReadAsync(CancellationToken cancellationToken);
}

/// <summary>NVIDIA GPUs through <c>nvidia-smi --query-gpu=… --format=csv</c>.</summary>
public sealed class NvidiaSmiProbe : IGpuProbe
{
    public const string Arguments = "--query-gpu=name,memory.total,memory.used,memory.free,utilization.gpu --format=csv,noheader,nounits";
    private readonly TimeSpan _timeout;

    public NvidiaSmiProbe(TimeSpan? timeout = null) => _timeout = timeout ?? TimeSpan.FromSeconds(3);

    public async Task<IReadOnlyList<GpuInfo>> ReadAsync(CancellationToken cancellationToken)
    {
        ToolOutput? output = await ExternalTool.TryRunAsync("nvidia-smi", Arguments, _timeout, cancellationToken,
            @"C:\Program Files\NVIDIA Corporation\NVSMI\nvidia-smi.exe", "/usr/bin/nvidia-smi").ConfigureAwait(false);
        return output is { Succeeded: true } ? ParseCsv(output.StandardOutput) : Array.Empty<GpuInfo>();
    }

    /// <summary>Parses the CSV (no header, no units: MiB and %) that <see cref="Arguments"/> asks for.</summary>
    public static IReadOnlyList<GpuInfo> ParseCsv(string text)
    {
        var gpus = new List<GpuInfo>();
        foreach (string raw in text.Split('\n'))
        {
            string line = raw.Trim();
            if (line.Length == 0 || line.StartsWith("name", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            // The name is the only field that may contain a comma; the four numbers are the last fields.
            string[] f = line.Split(',').Select(s => s.Trim()).ToArray();
            if (f.Length < 5)
            {
                continue;
            }

            int n = f.Length;
            string name = string.Join(", ", f.Take(n - 4)).Trim();
            long total = MiB(f[n - 4]);
            long used = MiB(f[n - 3]);
            long free = f[n - 2].Length > 0 && char.IsDigit(f[n - 2][0]) ? MiB(f[n - 2]) : Math.Max(0, total - used);
            gpus.Add(new GpuInfo
            {
                Name = name,
                Vendor = "NVIDIA",
                TotalBytes = total,
                UsedBytes = used,
                FreeBytes = free,
                UtilizationPercent = double.TryParse(f[n - 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double u) ? u : null,
            });
        }

        return gpus;
    }

    // "[N/A]" (e.g. unified-memory boards) reads as 0.
    private static long MiB(string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out double mib) ? (long)Math.Round(mib * 1024 * 1024) : 0;
}

/// <summary>AMD GPUs through <c>rocm-smi --showproductname --showmeminfo vram --showuse --json</c> (Linux).</summary>
public sealed class RocmSmiProbe : IGpuProbe
{
    public const string Arguments = "--showproductname --showmeminfo vram --showuse --json";
    private readonly TimeSpan _timeout;

    public RocmSmiProbe(TimeSpan? timeout = null) => _timeout = timeout ?? TimeSpan.FromSeconds(3);

    public async Task<IReadOnlyList<GpuInfo>> ReadAsync(CancellationToken cancellationToken)
    {
        ToolOutput? output = await ExternalTool.TryRunAsync("rocm-smi", Arguments, _timeout, cancellationToken, "/opt/rocm/bin/rocm-smi").ConfigureAwait(false);
        return output is { Succeeded: true } ? ParseJson(output.StandardOutput) : Array.Empty<GpuInfo>();
    }

    /// <summary>Parses rocm-smi's JSON: one object per "cardN" with string values; key spellings vary by version.</summary>
    public static IReadOnlyList<GpuInfo> ParseJson(string text)
    {
        var gpus = new List<GpuInfo>();
        int start = text.IndexOf('{');
        if (start < 0)
        {
            return gpus;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(text.Substring(start));
        }
        catch (JsonException)
        {
            return gpus;
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                return gpus;
            }

            foreach (JsonProperty card in doc.RootElement.EnumerateObject().Where(p => p.Name.StartsWith("card", StringComparison.OrdinalIgnoreCase)))
            {
                if (card.Value.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }

                var values = card.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ToString(), StringComparer.OrdinalIgnoreCase);
                long total = Number(values, "VRAM Total Memory (B)");
                long used = Number(values, "VRAM Total Used Memory (B)");
                string name = First(values, "Card Series", "Device Name", "Card Model", "Card SKU") ?? card.Name;
                gpus.Add(new GpuInfo
                {
                    Name = name,
                    Vendor = "AMD",
                    TotalBytes = total,
                    UsedBytes = used,
                    FreeBytes = Math.Max(0, total - used),
                    UtilizationPercent = double.TryParse(First(values, "GPU use (%)"), NumberStyles.Float, CultureInfo.InvariantCulture, out double u) ? u : null,
                });
            }
        }

        return gpus;
    }

    private static string? First(Dictionary<string, string> values, params string[] keys) =>
        keys.Select(k => values.TryGetValue(k, out string? v) ? v : null).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));

    private static long Number(Dictionary<string, string> values, string key) =>
        values.TryGetValue(key, out string? v) && long.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : 0;
}
