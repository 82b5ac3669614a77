using System;
using System.IO;
using ElixiModels.Commands;
using ElixiModels.Lifecycle;
using Xunit;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Tests.Unit;

public class PullPreflightTests
{
    [Theory]
    [InlineData(4_000_000_000L, 5_000_000_000L, true)]
    [InlineData(5_000_000_000L, 5_000_000_000L, true)]
    [InlineData(5_000_000_001L, 5_000_000_000L, false)]
    [InlineData(null, 5_000_000_000L, null)]   // registry not reachable: unknown, the pull is not stopped
    [InlineData(4_000_000_000L, null, null)]   // another machine's disk: unknown
    public void The_download_fits_the_disk_when_it_is_at_most_the_free_space(long? download, long? free, bool? fits)
    {
        var plan = new PullPlan { Name = "m:1b", DownloadBytes = download, FreeDiskBytes = free, ModelStore = free is null ? null : "/models" };
        Assert.Equal(fits, plan.FitsDisk);
    }

    [Fact]
    public void A_download_that_cannot_fit_is_InsufficientDiskSpace_with_the_numbers()
    {
        var plan = new PullPlan { Name = "llama3.1:70b", DownloadBytes = 42_500_000_000, TotalBytes = 42_500_000_000, FreeDiskBytes = 10_000_000_000, ModelStore = "/data/models" };
        var record = InstallStep.InsufficientDiskSpace(plan, "http://127.0.0.1:11434");
        Assert.Equal("InsufficientDiskSpace", record.FullyQualifiedErrorId);
        Assert.Contains(ElixiModels.Models.Units.Bytes(42_500_000_000), record.Exception.Message);
        Assert.Contains(ElixiModels.Models.Units.Bytes(10_000_000_000) + " free", record.Exception.Message);
        Assert.Contains("/data/models", record.Exception.Message);
        Assert.Contains("-Force", record.ErrorDetails.RecommendedAction);
        Assert.Contains("NOT ENOUGH", plan.Describe());
    }

    [Fact]
    public void Describe_says_what_is_unknown_for_another_machine()
    {
        var plan = new PullPlan { Name = "m:1b", DownloadBytes = 1_000_000, TotalBytes = 1_000_000 };
        Assert.Equal("download 977 KiB; disk: unknown (the server is another machine); memory: unknown (the server is another machine)", plan.Describe());
    }

    [Fact]
    public void A_model_bigger_than_the_memory_does_not_fit()
    {
        Assert.False(new PullPlan { MemoryNeededBytes = 9_000_000_000, MemoryAvailableBytes = 8_000_000_000 }.FitsMemory);
        Assert.True(new PullPlan { MemoryNeededBytes = 7_000_000_000, MemoryAvailableBytes = 8_000_000_000 }.FitsMemory);
    }

    [Fact]
    public void Free_space_of_a_store_that_does_not_exist_yet_is_its_parents()
    {
        string missing = Path.Combine(Path.GetTempPath(), Guid.NewGuid().ToString("N"), "models");
        Assert.Equal(PullPreflight.FreeSpace(Path.GetTempPath()).HasValue, PullPreflight.FreeSpace(missing).HasValue);
        Assert.True(PullPreflight.FreeSpace(missing) > 0);
    }
}
