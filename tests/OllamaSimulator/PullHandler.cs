using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace OllamaSimulator;

/// <summary>
/// POST /api/pull: "pulling manifest", per-blob progress (resuming partial blobs, reporting present blobs once),
/// "verifying sha256 digest", "writing manifest", ["removing unused layers"], "success".
/// </summary>
internal sealed class PullHandler
{
    private sealed class PullFailed : Exception
    {
        public PullFailed(string message) : base(message)
        {
        }
    }

    public async Task PullAsync(Req r)
    {
        GoRequest q = r.Decode("PullRequest");
        string model = q.GetString("model");
        string name = q.GetString("name");
        bool stream = q.GetBool("stream") ?? true;
        q.GetBool("insecure");
        string given = model.Length > 0 ? model : name;
        string? normalized = ModelName.Normalize(given);
        if (normalized is null)
        {
            throw new ApiError(400, "invalid model name");
        }

        if (stream)
        {
            LineStream s = LineStream.Ndjson(r);
            try
            {
                await RunAsync(r, normalized, s.WriteAsync).ConfigureAwait(false);
            }
            catch (PullFailed e)
            {
                if (!s.Started)
                {
                    await Http.ErrorAsync(r.Http, 500, e.Message, r.Ct, Http.PlainJsonType).ConfigureAwait(false);
                }
                else
                {
                    await s.WriteErrorAsync(e.Message).ConfigureAwait(false);
                }
            }

            return;
        }

        // stream:false — Ollama's waitForStream: the last progress message, or the error with HTTP 500.
        JObj? last = null;
        try
        {
            await RunAsync(r, normalized, o =>
            {
                last = (JObj)o;
                return Task.CompletedTask;
            }).ConfigureAwait(false);
        }
        catch (PullFailed e)
        {
            await Http.ErrorAsync(r.Http, 500, e.Message, r.Ct, Http.PlainJsonType).ConfigureAwait(false);
            return;
        }

        await Http.JsonAsync(r.Http, 200, last ?? new JObj().Add("status", "success"), r.Ct, Http.PlainJsonType).ConfigureAwait(false);
    }

    private static JObj Status(string status) => new JObj().Add("status", status);

    private static JObj Progress(SimLayer layer, long completed) => new JObj()
        .Add("status", string.Concat("pulling ", layer.Digest.AsSpan(0, 12)))
        .Add("digest", "sha256:" + layer.Digest)
        .Add("total", layer.Size)
        .AddIf(completed != 0, "completed", completed);

    private static async Task RunAsync(Req r, string name, Func<object, Task> emit)
    {
        SimulatorState st = r.State;
        CancellationToken ct = r.Ct;
        await emit(Status("pulling manifest")).ConfigureAwait(false);

        SimModel remote = st.FindRemote(name) ?? throw new PullFailed("pull model manifest: file does not exist");
        IReadOnlyList<SimLayer> layers = SimulatorState.LayersOf(remote);
        TimeSpan interval = st.PullProgressInterval > TimeSpan.Zero ? st.PullProgressInterval : TimeSpan.FromMilliseconds(20);

        foreach (SimLayer layer in layers)
        {
            long have = st.BlobBytes(layer);
            if (have >= layer.Size)
            {
                await emit(Progress(layer, layer.Size)).ConfigureAwait(false);
                continue;
            }

            await emit(Progress(layer, have)).ConfigureAwait(false);
            long last = Stopwatch.GetTimestamp();
            long completed = have;
            while (completed < layer.Size)
            {
                double rate = st.Faults.EffectivePullBytesPerSecond;
                double remainingSeconds = (layer.Size - completed) / rate;
                bool finishing = remainingSeconds <= interval.TotalSeconds;
                TimeSpan wait = finishing ? TimeSpan.FromSeconds(remainingSeconds) : interval;
                try
                {
                    await Task.Delay(wait, ct).ConfigureAwait(false);
                }
                finally
                {
                    // Whatever arrived so far stays on disk, even when the client went away.
                    double elapsed = PreciseWait.Seconds(last);
                    last = Stopwatch.GetTimestamp();
                    completed = finishing && !ct.IsCancellationRequested
                        ? layer.Size
                        : Math.Min(layer.Size, completed + (long)(elapsed * rate));
                    st.SetPartial(layer.Digest, completed);
                }

                await emit(Progress(layer, completed)).ConfigureAwait(false);
            }
        }

        await emit(Status("verifying sha256 digest")).ConfigureAwait(false);
        await emit(Status("writing manifest")).ConfigureAwait(false);
        bool removed = st.CompletePull(remote);
        if (removed)
        {
            await emit(Status("removing unused layers")).ConfigureAwait(false);
        }

        await emit(Status("success")).ConfigureAwait(false);
    }
}
