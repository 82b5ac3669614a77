namespace ElixiModels.Resources;

/// <summary>One GPU as its vendor tool reports it.</summary>
public sealed class GpuInfo
{
    public string Name { get; internal init; } = string.Empty;
    public string Vendor { get; internal init; } = string.Empty;
    public long TotalBytes { get; internal init; }
    public long UsedBytes { get; internal init; }
    public long FreeBytes { get; internal init; }
    public double? UtilizationPercent { get; internal init; }

    /// <summary>Memory in bytes (shown in binary units); the same numbers as the *Bytes properties.</summary>
    public long Total => TotalBytes;

    public long Used => UsedBytes;
    public long Free => FreeBytes;

    public override string ToString() => $"{Name} ({Models.Units.Bytes(FreeBytes)} free of {Models.Units.Bytes(TotalBytes)})";
}
