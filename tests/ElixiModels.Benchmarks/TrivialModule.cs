using System.Management.Automation;

namespace ElixiModels.Benchmarks;

/// <summary>The trivial binary module that Import-Module ElixiModels is compared with.</summary>
[Cmdlet(VerbsCommon.Get, "Trivial")]
[OutputType(typeof(string))]
public sealed class TrivialCommand : Cmdlet
{
    [Parameter]
    public int Count { get; set; } = 1;

    protected override void ProcessRecord()
    {
        for (int i = 0; i < Count; i++)
        {
            WriteObject(new TrivialItem { Name = "item" + i, Size = i });
        }
    }
}

public sealed class TrivialItem
{
    public string Name { get; init; } = string.Empty;
    public long Size { get; init; }
}
