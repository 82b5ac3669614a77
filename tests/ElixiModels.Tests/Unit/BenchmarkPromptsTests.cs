using System.Collections.Generic;
using System.Linq;
using ElixiModels.Benchmark;
using ElixiModels.Selection;
using Xunit;

namespace ElixiModels.Tests.Unit;

public class BenchmarkPromptsTests
{
    [Theory]
    [InlineData(ModelTask.General)]
    [InlineData(ModelTask.Coding)]
    [InlineData(ModelTask.Analysis)]
    [InlineData(ModelTask.Creative)]
    [InlineData(ModelTask.Fast)]
    public void Every_task_type_has_its_own_prompt_set(ModelTask task)
    {
        IReadOnlyList<string> set = BenchmarkPrompts.For(task);
        Assert.True(set.Count >= 3);
        foreach (ModelTask other in BenchmarkPrompts.Tasks.Where(t => t != task))
        {
            Assert.Empty(set.Intersect(BenchmarkPrompts.For(other)));
        }
    }

    [Theory]
    [InlineData(ModelTask.Coding, null)]
    [InlineData(ModelTask.General, "Say hello.")]
    public void No_two_requests_share_an_opening_so_the_prompt_cache_cannot_help(ModelTask task, string? custom)
    {
        string salt = BenchmarkPrompts.NewSalt();
        List<string> prompts = Enumerable.Range(0, 12).Select(i => BenchmarkPrompts.Build(task, custom, salt, i)).ToList();
        Assert.Equal(prompts.Count, prompts.Distinct().Count());
        // Each starts with its own marker, so the opening tokens differ.
        Assert.Equal(prompts.Count, prompts.Select(p => p.Substring(0, 8)).Distinct().Count());
        if (custom is not null)
        {
            Assert.All(prompts, p => Assert.EndsWith(custom, p));
        }

        string other = BenchmarkPrompts.Build(task, custom, BenchmarkPrompts.NewSalt(), 0);
        Assert.NotEqual(prompts[0].Substring(0, 8), other.Substring(0, 8));
    }
}
