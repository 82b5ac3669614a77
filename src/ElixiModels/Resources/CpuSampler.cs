using System;

namespace ElixiModels.Resources;

/// <summary>CPU % between successive readings of cumulative busy/total counters; the first reading has none.</summary>
internal sealed class CpuSampler
{
    private readonly object _gate = new();
    private (ulong Busy, ulong Total)? _previous;

    public double? Next(ulong busy, ulong total)
    {
        lock (_gate)
        {
            double? percent = null;
            if (_previous is { } p && total > p.Total && busy >= p.Busy)
            {
                percent = Math.Round(Math.Min(100, (busy - p.Busy) * 100.0 / (total - p.Total)), 1);
            }

            _previous = (busy, total);
            return percent;
        }
    }
}
