using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

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
