using System;
using System.Collections.Concurrent;
using System.ComponentModel;
using System.Diagnostics;
using System.IO;
using System.Runtime.InteropServices;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace ElixiModels.Resources;

/// <summary>
/// Runs a small system tool (nvidia-smi, rocm-smi, sysctl, vm_stat): found on PATH once per process, output read
/// asynchronously while it runs, killed when it outlives its timeout. Never throws for a missing or failing tool.
/// </summary>
public static class ExternalTool
{
    private static readonly ConcurrentDictionary<string, string?> Located = new(StringComparer.Ordinal);

    /// <summary>The full path of <paramref name="name"/> on PATH (or one of <paramref name="fallbacks"/>), or null.</summary>
    public static string? Locate(string name, params string[] fallbacks) => Located.GetOrAdd(name, n =>
    {
        bool windows = RuntimeInformation.IsOSPlatform(OSPlatform.Windows);
        string file = windows && !n.EndsWith(".exe", StringComparison.OrdinalIgnoreCase) ? n + ".exe" : n;
        string[] dirs = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator);
        foreach (string dir in dirs)
        {
            if (dir.Trim().Length == 0)
            {
                continue;
            }

            try
            {
                string candidate = Path.Combine(dir.Trim().Trim('"'), file);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }
            catch (ArgumentException)
            {
                // A malformed PATH entry.
            }
        }

        foreach (string candidate in fallbacks)
        {
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    });

    /// <summary>
    /// Runs <paramref name="path"/> with <paramref name="arguments"/>; null when it cannot be started. A run that
    /// outlives <paramref name="timeout"/> is killed and reported with TimedOut.
    /// </summary>
    public static async Task<ToolOutput?> RunAsync(string path, string arguments, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var psi = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
            CreateNoWindow = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        using var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var exited = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        process.Exited += (_, _) => exited.TrySetResult(true);
        try
        {
            if (!process.Start())
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is Win32Exception or InvalidOperationException or PlatformNotSupportedException or IOException)
        {
            return null;
        }

        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        Task finished = Task.WhenAll(exited.Task, stdout, stderr);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        var stopped = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        using (limit.Token.Register(() => stopped.TrySetResult(true)))
        {
            if (await Task.WhenAny(finished, stopped.Task).ConfigureAwait(false) != finished)
            {
                Kill(process);
                // The pipes close with the process; observe the reads so nothing is left unobserved.
                _ = stdout.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                _ = stderr.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
                cancellationToken.ThrowIfCancellationRequested();
                return new ToolOutput(-1, string.Empty, $"'{Path.GetFileName(path)}' did not finish within {timeout.TotalSeconds:0.#} s.", timedOut: true);
            }
        }

        return new ToolOutput(process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false), timedOut: false);
    }

    /// <summary>Locates and runs a tool; null when it is not installed or cannot be started.</summary>
    public static async Task<ToolOutput?> TryRunAsync(string name, string arguments, TimeSpan timeout, CancellationToken cancellationToken, params string[] fallbacks)
    {
        string? path = Locate(name, fallbacks);
        return path is null ? null : await RunAsync(path, arguments, timeout, cancellationToken).ConfigureAwait(false);
    }

    private static void Kill(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill();
            }
        }
        catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
        {
            // It exited in the meantime.
        }
    }
}
