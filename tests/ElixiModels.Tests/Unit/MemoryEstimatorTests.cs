using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Commands;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Resources;
using Xunit;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Tests.Unit;

public class MemoryEstimatorTests
{
    // llama3.2:3b as /api/show reports it: 28 layers, 24 heads, 8 KV heads, 3072 wide, 128256 tokens.
    private static ModelDetails Llama32(int? keyLength = null, int? valueLength = null, string arch = "llama") => new()
    {
        Architecture = arch,
        BlockCount = 28,
        HeadCount = 24,
        HeadCountKv = 8,
        EmbeddingLength = 3072,
        KeyLength = keyLength,
        ValueLength = valueLength,
        VocabSize = 128256,
        ContextLength = 131072,
    };

    [Theory]
    [InlineData(4096, "f16", 469_762_048L)]    // 448 MiB, as Ollama's log shows for llama3.2:3b at 4096
    [InlineData(8192, "f16", 939_524_096L)]
    [InlineData(4096, "q8_0", 234_881_024L)]
    [InlineData(4096, "q4_0", 117_440_512L)]
    [InlineData(4096, "", 469_762_048L)]       // unset: f16
    [InlineData(4096, "bogus", 469_762_048L)]
    public void KV_cache_is_two_times_layers_kv_heads_head_size_context_and_element_size(int context, string type, long expected)
    {
        MemoryEstimate e = MemoryEstimator.Estimate(Llama32(), 2_019_393_189, context, type);
        Assert.Equal(expected, e.KvCacheBytes);
        Assert.True(e.IsComplete);
        Assert.Equal(2_019_393_189, e.WeightsBytes);
        Assert.Equal(e.WeightsBytes + e.KvCacheBytes + e.OverheadBytes, e.TotalBytes);
    }

    [Fact]
    public void Declared_key_and_value_lengths_are_used_instead_of_the_head_size()
    {
        MemoryEstimate e = MemoryEstimator.Estimate(Llama32(keyLength: 256, valueLength: 128), 0, 4096);
        Assert.Equal(28L * 4096 * (256 + 128) * 8 * 2, e.KvCacheBytes);
    }

    [Fact]
    public void Parallel_requests_multiply_the_context()
    {
        Assert.Equal(2 * MemoryEstimator.Estimate(Llama32(), 0, 4096).KvCacheBytes, MemoryEstimator.Estimate(Llama32(), 0, 4096, numParallel: 2).KvCacheBytes);
    }

    [Theory]
    [InlineData("llama", 4096, 268_959_744L)]   // Ollama's llama formula: the vocabulary term, 256.5 MiB
    [InlineData("qwen2", 4096, 268_959_744L)]
    [InlineData("unknownarch", 4096, 234_881_024L)] // fallback: GQA (3) × KV cache / 6
    public void The_graph_follows_Ollamas_formula_per_architecture(string arch, int context, long expected)
    {
        Assert.Equal(expected, MemoryEstimator.Estimate(Llama32(arch: arch), 0, context).OverheadBytes);
    }

    [Fact]
    public void Without_architecture_facts_the_estimate_is_the_weights_and_says_it_is_incomplete()
    {
        MemoryEstimate e = MemoryEstimator.Estimate(new ModelDetails(), 1000, 4096);
        Assert.False(e.IsComplete);
        Assert.Equal(1000, e.TotalBytes);
    }

    [Fact]
    public void The_largest_fitting_context_is_a_multiple_of_256_that_fits_while_256_more_does_not()
    {
        const long weights = 2_019_393_189;
        const long budget = 4_000_000_000;
        int max = MemoryEstimator.MaxContext(Llama32(), weights, budget)!.Value;
        Assert.Equal(0, max % 256);
        Assert.True(MemoryEstimator.Estimate(Llama32(), weights, max).TotalBytes <= budget);
        Assert.True(MemoryEstimator.Estimate(Llama32(), weights, max + 256).TotalBytes > budget);
        Assert.Equal(131072, MemoryEstimator.MaxContext(Llama32(), weights, long.MaxValue / 4));
        Assert.Null(MemoryEstimator.MaxContext(Llama32(), weights, weights));
        Assert.Null(MemoryEstimator.MaxContext(new ModelDetails(), weights, budget));
    }

    [Theory]
    [InlineData(null, 4096)]
    [InlineData("8192", 8192)]
    [InlineData("999999", 131072)]   // capped at the trained context
    public void The_default_context_is_the_Modelfiles_num_ctx_else_4096(string? numCtx, int expected)
    {
        var parameters = new Dictionary<string, string>();
        if (numCtx is not null)
        {
            parameters["num_ctx"] = numCtx;
        }

        ModelDetails d = new() { ContextLength = 131072, Parameters = parameters };
        Assert.Equal(expected, MemoryEstimator.DefaultContext(d));
    }

    [Fact]
    public async Task The_memory_of_a_server_on_another_machine_is_unknown_so_no_largest_context_is_claimed()
    {
        var probe = new CountingProbe();
        long? budget = await MemoryPlan.BudgetAsync(new OllamaClient(new Uri("http://gpu-box.example:11434")), null, probe, CancellationToken.None);
        Assert.Null(budget);
        Assert.Equal(0, probe.Reads);
    }

    private sealed class CountingProbe : IHostResourceProbe
    {
        public int Reads { get; private set; }

        public Task<HostResources> ReadAsync(CancellationToken cancellationToken)
        {
            Reads++;
            throw new InvalidOperationException("not expected");
        }
    }
}
