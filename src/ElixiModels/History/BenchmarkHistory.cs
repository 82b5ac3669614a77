using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Models;

namespace ElixiModels.History;

/// <summary>
/// Benchmark results kept across sessions: one JSON line per completed Measure-OllamaModel result in a file in the
/// user's data folder, with the summary, the model's digest, the settings and the machine, and never a prompt or an
/// answer. Writers lock the file (exclusive open, retried), so processes writing at once never interleave; a line
/// that cannot be read is skipped and reported; the file keeps the newest <see cref="MaxRecords"/> records.
/// </summary>
public sealed class BenchmarkHistory
{
    /// <summary>Where the history lives instead of the user's data folder: a folder, or a file ending in .jsonl.</summary>
    public const string PathVariable = "ELIXI_HISTORY_PATH";

    /// <summary>Set to anything but 0/false to keep no history (nothing is read or written).</summary>
    public const string DisableVariable = "ELIXI_NO_HISTORY";

    /// <summary>The history's file name inside its folder.</summary>
    public const string FileName = "benchmark-history.jsonl";

    /// <summary>Records kept by default; older ones are pruned when a new one is written.</summary>
    public const int DefaultMaxRecords = 2000;

    private const int Schema = 1;
    private static readonly JsonSerializerOptions LineOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly TimeSpan LockWait = TimeSpan.FromSeconds(10);
    private static readonly HashSet<string> NotStored = new(StringComparer.Ordinal) { nameof(BenchmarkResult.Runs), nameof(BenchmarkResult.WarmupRuns), nameof(BenchmarkResult.Source) };
    private static readonly PropertyInfo[] Stored = typeof(BenchmarkResult).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanRead && p.SetMethod is not null && !NotStored.Contains(p.Name))
        .ToArray();

    public BenchmarkHistory(string path, int maxRecords = DefaultMaxRecords)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            throw new ArgumentException("The history needs a file path.", nameof(path));
        }

        Path = path;
        MaxRecords = Math.Max(1, maxRecords);
    }

    /// <summary>The history file.</summary>
    public string Path { get; }

    /// <summary>The most records kept.</summary>
    public int MaxRecords { get; }

    /// <summary>
    /// The history of this user, or null when $env:ELIXI_NO_HISTORY turns it off or no data folder exists.
    /// $env:ELIXI_HISTORY_PATH moves it; otherwise it is in LocalApplicationData (Windows: %LOCALAPPDATA%; Linux and
    /// macOS: $XDG_DATA_HOME, else ~/.local/share) under ElixiModels.
    /// </summary>
    public static BenchmarkHistory? Default()
    {
        if (IsDisabled())
        {
            return null;
        }

        string? path = DefaultPath();
        return path is null ? null : new BenchmarkHistory(path);
    }

    /// <summary>Whether $env:ELIXI_NO_HISTORY turns the history off.</summary>
    public static bool IsDisabled()
    {
        string? off = Environment.GetEnvironmentVariable(DisableVariable);
        return !string.IsNullOrWhiteSpace(off) && off!.Trim() != "0" && !off.Trim().Equals("false", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The file the history is (or would be) in; null when there is no data folder.</summary>
    public static string? DefaultPath()
    {
        string? configured = Environment.GetEnvironmentVariable(PathVariable);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            string full = System.IO.Path.GetFullPath(configured!.Trim());
            return full.EndsWith(".jsonl", StringComparison.OrdinalIgnoreCase) ? full : System.IO.Path.Combine(full, FileName);
        }

        string data = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return string.IsNullOrEmpty(data) ? null : System.IO.Path.Combine(data, "ElixiModels", FileName);
    }

    /// <summary>One JSON line for <paramref name="result"/>: every summary property, no runs (so no prompt text).</summary>
    public static string ToLine(BenchmarkResult result)
    {
        var o = new JsonObject { ["schema"] = Schema };
        foreach (PropertyInfo p in Stored)
        {
            object? value = p.GetValue(result);
            if (value is not null)
            {
                o[p.Name] = JsonSerializer.SerializeToNode(value, p.PropertyType);
            }
        }

        return o.ToJsonString(LineOptions);
    }

    /// <summary>The result a line holds (without runs); null when the line is not a record this version can read.</summary>
    public static BenchmarkResult? FromLine(string line)
    {
        try
        {
            if (JsonNode.Parse(line) is not JsonObject o || o["schema"]?.GetValue<int>() is not int schema || schema < 1)
            {
                return null;
            }

            var result = new BenchmarkResult { Source = BenchmarkSource.History };
            foreach (PropertyInfo p in Stored)
            {
                if (o.TryGetPropertyValue(p.Name, out JsonNode? node) && node is not null)
                {
                    p.SetValue(result, node.Deserialize(p.PropertyType));
                }
            }

            return string.IsNullOrEmpty(result.Name) || string.IsNullOrEmpty(result.Host) || result.MeasuredAt == default ? null : result;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>
    /// Appends <paramref name="result"/>, pruning the oldest records beyond <see cref="MaxRecords"/>. Holds the file
    /// exclusively while writing; waits up to 10 s for another writer.
    /// </summary>
    public async Task AppendAsync(BenchmarkResult result, CancellationToken ct)
    {
        string line = ToLine(result);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        using FileStream file = await OpenAsync(FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, ct).ConfigureAwait(false);
        List<string> lines = ReadLines(file);
        if (lines.Count + 1 <= MaxRecords)
        {
            file.Seek(0, SeekOrigin.End);
            if (file.Length > 0 && !EndsWithNewline(file))
            {
                // A writer that died mid-line: start ours on a line of its own, so only the torn one is lost.
                Write(file, "\n");
            }

            Write(file, line + "\n");
            return;
        }

        lines.Add(line);
        Rewrite(file, lines.Skip(lines.Count - MaxRecords));
    }

    /// <summary>Every readable record, in the order written, and how many lines could not be read.</summary>
    public async Task<(IReadOnlyList<BenchmarkResult> Records, int Damaged)> ReadAsync(CancellationToken ct)
    {
        if (!File.Exists(Path))
        {
            return (Array.Empty<BenchmarkResult>(), 0);
        }

        List<string> lines;
        try
        {
            using FileStream file = await OpenAsync(FileMode.Open, FileAccess.Read, FileShare.Read, ct).ConfigureAwait(false);
            lines = ReadLines(file);
        }
        catch (FileNotFoundException)
        {
            return (Array.Empty<BenchmarkResult>(), 0);
        }

        var records = new List<BenchmarkResult>(lines.Count);
        int damaged = 0;
        foreach (string text in lines)
        {
            if (FromLine(text) is { } record)
            {
                records.Add(record);
            }
            else
            {
                damaged++;
            }
        }

        return (records, damaged);
    }

    /// <summary>Deletes the records <paramref name="remove"/> picks (damaged lines go too); returns how many records went.</summary>
    public async Task<int> RemoveAsync(Func<BenchmarkResult, bool> remove, CancellationToken ct)
    {
        if (!File.Exists(Path))
        {
            return 0;
        }

        using FileStream file = await OpenAsync(FileMode.Open, FileAccess.ReadWrite, FileShare.None, ct).ConfigureAwait(false);
        List<string> lines = ReadLines(file);
        var keep = new List<string>();
        int removed = 0;
        foreach (string text in lines)
        {
            BenchmarkResult? record = FromLine(text);
            if (record is null)
            {
                continue;
            }

            if (remove(record))
            {
                removed++;
            }
            else
            {
                keep.Add(text);
            }
        }

        Rewrite(file, keep);
        return removed;
    }

    private async Task<FileStream> OpenAsync(FileMode mode, FileAccess access, FileShare share, CancellationToken ct)
    {
        DateTime deadline = DateTime.UtcNow + LockWait;
        var delay = TimeSpan.FromMilliseconds(10);
        while (true)
        {
            try
            {
                return new FileStream(Path, mode, access, share, 4096, FileOptions.None);
            }
            catch (IOException ex) when (ex is not FileNotFoundException and not DirectoryNotFoundException && DateTime.UtcNow < deadline)
            {
                // Another process holds the file (a sharing violation / lock): wait for it.
                await Task.Delay(delay, ct).ConfigureAwait(false);
                delay = TimeSpan.FromMilliseconds(Math.Min(200, delay.TotalMilliseconds * 2));
            }
        }
    }

    private static List<string> ReadLines(FileStream file)
    {
        file.Seek(0, SeekOrigin.Begin);
        var lines = new List<string>();
        var reader = new StreamReader(file, new UTF8Encoding(false), false, 4096, leaveOpen: true);
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            if (line.Trim().Length > 0)
            {
                lines.Add(line);
            }
        }

        return lines;
    }

    private static bool EndsWithNewline(FileStream file)
    {
        file.Seek(-1, SeekOrigin.End);
        bool newline = file.ReadByte() == '\n';
        file.Seek(0, SeekOrigin.End);
        return newline;
    }

    private static void Write(FileStream file, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        file.Write(bytes, 0, bytes.Length);
        file.Flush(true);
    }

    private static void Rewrite(FileStream file, IEnumerable<string> lines)
    {
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            text.Append(line).Append('\n');
        }

        file.SetLength(0);
        file.Seek(0, SeekOrigin.Begin);
        Write(file, text.ToString());
    }
}
