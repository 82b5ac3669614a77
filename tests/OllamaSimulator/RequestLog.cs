using System;
using System.Collections.Generic;

namespace OllamaSimulator;

/// <summary>One request as received (logged before any fault is applied).</summary>
public sealed record LoggedRequest(DateTimeOffset At, string Method, string Path, string Body, string? Model, string? Authorization = null);

/// <summary>Every request the simulator received, in arrival order. Thread-safe.</summary>
public sealed class RequestLog
{
    private readonly object _gate = new();
    private readonly List<LoggedRequest> _entries = new();

    /// <summary>A snapshot of all entries.</summary>
    public IReadOnlyList<LoggedRequest> Entries
    {
        get
        {
            lock (_gate)
            {
                return _entries.ToArray();
            }
        }
    }

    /// <summary>How many requests had this method (case-insensitive) and exactly this path.</summary>
    public int Count(string method, string path)
    {
        lock (_gate)
        {
            int n = 0;
            foreach (LoggedRequest e in _entries)
            {
                if (string.Equals(e.Method, method, StringComparison.OrdinalIgnoreCase) && string.Equals(e.Path, path, StringComparison.Ordinal))
                {
                    n++;
                }
            }

            return n;
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    internal void Add(LoggedRequest entry)
    {
        lock (_gate)
        {
            _entries.Add(entry);
        }
    }
}
