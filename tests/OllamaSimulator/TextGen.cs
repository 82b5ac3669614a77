using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace OllamaSimulator;

/// <summary>Deterministic pseudo-text, token counts and embeddings.</summary>
internal static class TextGen
{
    private static readonly string[] Words =
    {
        "the", "sky", "is", "blue", "because", "of", "light", "scattering", "in", "air", "and", "a", "model",
        "can", "answer", "with", "short", "words", "that", "look", "like", "text", "from", "local", "inference",
        "on", "your", "machine", "while", "tokens", "stream", "one", "by", "to", "client", "quickly", "every",
        "response", "has", "some", "simple", "sentences", "about", "weather", "code", "data", "and", "more",
        "it", "was", "then", "there", "this", "will", "be", "useful", "for", "testing", "only",
    };

    /// <summary>splitmix64: tiny, fast and stable across .NET versions.</summary>
    internal struct Rng
    {
        private ulong _s;

        public Rng(ulong seed)
        {
            _s = seed;
        }

        public ulong Next()
        {
            ulong z = _s += 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            return z ^ (z >> 31);
        }

        public int Next(int max) => (int)(Next() % (ulong)max);

        public double NextDouble() => (Next() >> 11) * (1.0 / (1UL << 53));
    }

    public static ulong Hash(string s)
    {
        ulong h = 14695981039346656037UL;
        foreach (char c in s)
        {
            h ^= c;
            h *= 1099511628211UL;
        }

        return h;
    }

    /// <summary>The i-th token text for a stream seeded with <paramref name="seed"/>.</summary>
    public static IEnumerable<string> Tokens(ulong seed)
    {
        var rng = new Rng(seed);
        bool first = true;
        bool capitalize = true;
        int sinceStop = 0;
        while (true)
        {
            string w = Words[rng.Next(Words.Length)];
            if (capitalize)
            {
                w = char.ToUpperInvariant(w[0]) + w.Substring(1);
            }

            yield return (first ? string.Empty : " ") + w;
            first = false;
            capitalize = false;
            sinceStop++;
            if (sinceStop > 4 && rng.Next(9) == 0)
            {
                yield return ".";
                capitalize = true;
                sinceStop = 0;
            }
            else if (rng.Next(15) == 0)
            {
                yield return ",";
            }
        }
    }

    /// <summary>"Roughly words * 1.3" tokens, at least 1.</summary>
    public static int CountTokens(string text)
    {
        int words = 0;
        bool inWord = false;
        foreach (char c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                inWord = false;
            }
            else if (!inWord)
            {
                inWord = true;
                words++;
            }
        }

        return Math.Max(1, (int)Math.Round(words * 1.3));
    }

    public static int TokenId(string token) => (int)(Hash(token) % 32000) + 256;

    public static List<int> ContextIds(string prompt, IReadOnlyList<string> generated, int promptTokens)
    {
        var ids = new List<int>(promptTokens + generated.Count);
        var rng = new Rng(Hash(prompt));
        for (int i = 0; i < promptTokens; i++)
        {
            ids.Add(256 + rng.Next(32000));
        }

        foreach (string t in generated)
        {
            ids.Add(TokenId(t));
        }

        return ids;
    }

    /// <summary>A unit-length vector of float32 values, the same for the same model and text.</summary>
    public static float[] Embedding(string model, string text, int length)
    {
        var rng = new Rng(Hash(model + "\u0000" + text));
        var v = new float[Math.Max(1, length)];
        double sum = 0;
        for (int i = 0; i < v.Length; i++)
        {
            // approximately normal
            double x = rng.NextDouble() + rng.NextDouble() + rng.NextDouble() - 1.5;
            v[i] = (float)x;
            sum += x * x;
        }

        return Normalize(v, sum);
    }

    public static float[] Normalize(float[] v, double? sumSquares = null)
    {
        double sum = sumSquares ?? 0;
        if (sumSquares is null)
        {
            foreach (float f in v)
            {
                sum += (double)f * f;
            }
        }

        float norm = (float)(1.0 / Math.Max(Math.Sqrt(sum), 1e-12));
        for (int i = 0; i < v.Length; i++)
        {
            v[i] *= norm;
        }

        return v;
    }
}

/// <summary>Waits until a point in time on a stopwatch, precisely (Task.Delay for the bulk, then a short spin).</summary>
internal static class PreciseWait
{
    private static readonly double TicksToSeconds = 1.0 / Stopwatch.Frequency;

    public static double Seconds(long fromTimestamp) => (Stopwatch.GetTimestamp() - fromTimestamp) * TicksToSeconds;

    public static async Task UntilAsync(long startTimestamp, double targetSeconds, CancellationToken ct)
    {
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            double remaining = targetSeconds - Seconds(startTimestamp);
            if (remaining <= 0)
            {
                return;
            }

            if (remaining > 0.002)
            {
                // Sleep for the bulk (whole milliseconds, leaving about 1 ms) ...
                int ms = (int)((remaining - 0.001) * 1000);
                await Task.Delay(ms, ct).ConfigureAwait(false);
                continue;
            }

            // ... then spin (yielding, never sleeping) for the rest.

            var spinner = new SpinWait();
            while (targetSeconds - Seconds(startTimestamp) > 0)
            {
                spinner.SpinOnce(-1);
            }

            return;
        }
    }
}
