using System;
using System.Collections.Generic;

namespace OllamaSimulator;

/// <summary>Switches that make the simulator misbehave on purpose. Thread-safe; <see cref="Reset"/> clears all.</summary>
public sealed class FaultSettings
{
    /// <summary>Simulated download speed when nothing is configured: 2 GB/s.</summary>
    public const double DefaultPullBytesPerSecond = 2_000_000_000;

    private readonly object _gate = new();
    private readonly List<Rule> _rules = new();
    private bool _refuse;
    private TimeSpan _delay;
    private TimeSpan _coldLoadExtra;
    private double _pullBytesPerSecond = DefaultPullBytesPerSecond;

    internal enum Kind
    {
        Fail,
        Malformed,
        Cut,
        ErrorLine,
        BadUtf8,
    }

    internal sealed class Rule
    {
        public required Kind Kind { get; init; }

        public required string Prefix { get; init; }

        public int Remaining { get; set; }

        public int Status { get; init; }

        public string Text { get; init; } = string.Empty;

        public int Lines { get; init; }
    }

    /// <summary>The server aborts every connection immediately (the client sees a connection reset).</summary>
    public bool RefuseConnections
    {
        get
        {
            lock (_gate)
            {
                return _refuse;
            }
        }

        set
        {
            lock (_gate)
            {
                _refuse = value;
            }
        }
    }

    /// <summary>Delay before any response headers are sent.</summary>
    public TimeSpan ResponseDelay
    {
        get
        {
            lock (_gate)
            {
                return _delay;
            }
        }

        set
        {
            lock (_gate)
            {
                _delay = value;
            }
        }
    }

    /// <summary>Extra time added to every cold load.</summary>
    public TimeSpan ColdLoadExtra
    {
        get
        {
            lock (_gate)
            {
                return _coldLoadExtra;
            }
        }

        set
        {
            lock (_gate)
            {
                _coldLoadExtra = value;
            }
        }
    }

    /// <summary>Simulated download speed for /api/pull (bytes per second; &lt;= 0 means the default 2 GB/s).</summary>
    public double PullBytesPerSecond
    {
        get
        {
            lock (_gate)
            {
                return _pullBytesPerSecond;
            }
        }

        set
        {
            lock (_gate)
            {
                _pullBytesPerSecond = value;
            }
        }
    }

    /// <summary>The next <paramref name="times"/> requests whose path starts with <paramref name="pathPrefix"/> get
    /// <paramref name="statusCode"/> with {"error": errorText}.</summary>
    public void FailNext(string pathPrefix, int statusCode, string errorText, int times = 1) =>
        AddRule(new Rule { Kind = Kind.Fail, Prefix = pathPrefix, Remaining = times, Status = statusCode, Text = errorText });

    /// <summary>The next matching requests get 200 with a JSON body that does not parse.</summary>
    public void MalformedJsonNext(string pathPrefix, int times = 1) =>
        AddRule(new Rule { Kind = Kind.Malformed, Prefix = pathPrefix, Remaining = times });

    /// <summary>The next matching NDJSON streams are cut (connection aborted) after <paramref name="lines"/> lines.</summary>
    public void CutStreamAfter(string pathPrefix, int lines, int times = 1) =>
        AddRule(new Rule { Kind = Kind.Cut, Prefix = pathPrefix, Remaining = times, Lines = lines });

    /// <summary>The next matching NDJSON streams send {"error": errorText} after <paramref name="lines"/> lines, then end.</summary>
    public void ErrorLineAfter(string pathPrefix, int lines, string errorText, int times = 1) =>
        AddRule(new Rule { Kind = Kind.ErrorLine, Prefix = pathPrefix, Remaining = times, Lines = lines, Text = errorText });

    /// <summary>
    /// The next matching generations produce text that is not valid UTF-8 after <paramref name="tokens"/> tokens.
    /// A 0.30+ server (<see cref="SimulatorState.IsModern"/>) then ends the answer silently: streamed, HTTP 200 with the
    /// tokens so far and no done line (an empty body for 0 tokens); not streamed, the partial object with
    /// "done":false, or a zero-valued one ("model":"", created_at 0001-01-01) for 0 tokens. A 0.23 server returns the
    /// bytes as text and finishes normally.
    /// </summary>
    public void InvalidUtf8After(string pathPrefix, int tokens, int times = 1) =>
        AddRule(new Rule { Kind = Kind.BadUtf8, Prefix = pathPrefix, Remaining = times, Lines = Math.Max(0, tokens) });

    public void Reset()
    {
        lock (_gate)
        {
            _rules.Clear();
            _refuse = false;
            _delay = TimeSpan.Zero;
            _coldLoadExtra = TimeSpan.Zero;
            _pullBytesPerSecond = DefaultPullBytesPerSecond;
        }
    }

    private void AddRule(Rule rule)
    {
        ArgumentNullException.ThrowIfNull(rule.Prefix);
        if (rule.Remaining <= 0)
        {
            return;
        }

        lock (_gate)
        {
            _rules.Add(rule);
        }
    }

    /// <summary>Takes one use of the first armed rule of <paramref name="kind"/> matching <paramref name="path"/>.</summary>
    internal Rule? TryConsume(Kind kind, string path)
    {
        lock (_gate)
        {
            for (int i = 0; i < _rules.Count; i++)
            {
                Rule r = _rules[i];
                if (r.Kind == kind && path.StartsWith(r.Prefix, StringComparison.Ordinal))
                {
                    r.Remaining--;
                    if (r.Remaining <= 0)
                    {
                        _rules.RemoveAt(i);
                    }

                    return r;
                }
            }
        }

        return null;
    }

    internal double EffectivePullBytesPerSecond
    {
        get
        {
            double v = PullBytesPerSecond;
            return v > 0 && !double.IsNaN(v) ? v : DefaultPullBytesPerSecond;
        }
    }
}
