using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using ElixiModels.Catalog;
using ElixiModels.Commands;
using ElixiModels.Models;
using ElixiModels.Ollama;
using ElixiModels.Resources;
using ElixiModels.Session;
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
        ParameterCount = 3_212_749_888,
    };

    private static MemoryBudget Budget(double ramGiB, string gpuFreeGiB) => new(
        (long)(ramGiB * (1L << 30)),
        gpuFreeGiB.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(g => (long)(double.Parse(g, System.Globalization.CultureInfo.InvariantCulture) * (1L << 30))).ToList());

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

    [Theory]
    [InlineData(4096)]
    [InlineData(131072)]
    public void Without_architecture_facts_the_estimate_is_the_size_plus_20_percent_at_any_context_and_says_so(int context)
    {
        MemoryEstimate e = MemoryEstimator.Estimate(new ModelDetails(), 1000, context);
        Assert.False(e.IsComplete);
        Assert.Equal(MemoryEstimateBasis.Size, e.Basis);
        Assert.Equal(0, e.KvCacheBytes);
        Assert.Equal(1200, e.TotalBytes);
        Assert.Contains("no architecture facts", e.ToString());
    }

    // A catalog model (not installed) is planned from the architecture facts shipped in the catalog, by the same
    // formula: 2 × layers × KV heads × head size × context × 2 bytes (f16). The expected sizes are worked out by hand
    // from the published facts, e.g. llama3.2:3b 28 × 8 × (128 + 128) × 4096 × 2 = 448 MiB as Ollama logs it.
    [Theory]
    [InlineData("llama3.2:3b", 4096, 4096, 469_762_048L)]
    [InlineData("llama3.1:8b", 8192, 8192, 1_073_741_824L)]      // 32 layers × 8 KV heads × 128
    [InlineData("qwen2.5-coder:7b", 32768, 32768, 1_879_048_192L)] // 28 × 4 × 3584/28
    [InlineData("phi3:mini", 4096, 4096, 1_610_612_736L)]         // no GQA: 32 KV heads × 96
    [InlineData("gemma3:27b", 4096, 4096, 2_080_374_784L)]        // declared key/value length 128
    [InlineData("deepseek-coder-v2:16b", 4096, 4096, 1_132_462_080L)] // key 192 + value 128
    [InlineData("gpt-oss:20b", 4096, 4096, 201_326_592L)]         // head size 64, not 2880 / 64
    [InlineData("nomic-embed-text:latest", 8192, 2048, 75_497_472L)] // capped at the trained 2048, as Ollama caps num_ctx
    [InlineData("codellama:7b", 32768, 16384, 8_589_934_592L)]
    public void Catalog_models_are_planned_from_their_published_architecture(string name, int asked, int planned, long kvCache)
    {
        CatalogEntry entry = ModelCatalog.Default.Find(name)!;
        MemoryEstimate e = ModelCatalog.Default.PlanMemory(entry, entry.SizeBytes, null, asked);
        Assert.Equal(MemoryEstimateBasis.Catalog, e.Basis);
        Assert.True(e.IsComplete);
        Assert.Equal(planned, e.ContextLength);
        Assert.Equal(kvCache, e.KvCacheBytes);
        Assert.Equal(entry.SizeBytes, e.WeightsBytes);
        Assert.True(e.OverheadBytes > 0);
    }

    [Fact]
    public void A_catalog_model_is_planned_exactly_as_the_same_model_once_installed()
    {
        CatalogEntry entry = ModelCatalog.Default.Find("llama3.2:3b")!;
        MemoryEstimate catalog = ModelCatalog.Default.PlanMemory(entry, entry.SizeBytes, null, null);
        MemoryEstimate installed = MemoryEstimator.Estimate(Llama32(keyLength: 128, valueLength: 128), entry.SizeBytes, MemoryEstimator.DefaultContextLength);
        Assert.Equal(installed.TotalBytes, catalog.TotalBytes);
        Assert.Equal(MemoryEstimator.DefaultContextLength, catalog.ContextLength);
    }

    [Fact]
    public void A_model_the_catalog_lacks_is_planned_from_its_size()
    {
        MemoryEstimate e = ModelCatalog.Default.PlanMemory(null, 5_000_000_000, 7_000_000_000, 32768);
        Assert.Equal(MemoryEstimateBasis.Size, e.Basis);
        Assert.Equal(MemoryFit.Required(5_000_000_000), e.TotalBytes);
    }

    [Fact]
    public void The_largest_fitting_context_is_a_multiple_of_256_that_fits_while_256_more_does_not()
    {
        const long weights = 2_019_393_189;
        var budget = new MemoryBudget(4_000_000_000);
        int max = MemoryEstimator.MaxContext(Llama32(), weights, budget)!.Value;
        Assert.Equal(0, max % 256);
        Assert.True(MemoryEstimator.Estimate(Llama32(), weights, max).TotalBytes <= budget.RamBytes);
        Assert.True(MemoryEstimator.Estimate(Llama32(), weights, max + 256).TotalBytes > budget.RamBytes);
        Assert.Equal(131072, MemoryEstimator.MaxContext(Llama32(), weights, new MemoryBudget(long.MaxValue / 4)));
        Assert.Null(MemoryEstimator.MaxContext(Llama32(), weights, new MemoryBudget(weights)));
        Assert.Null(MemoryEstimator.MaxContext(new ModelDetails(), weights, budget));
        Assert.True(MemoryEstimator.MaxContext(Llama32(), weights, Budget(3, "8")) > MemoryEstimator.MaxContext(Llama32(), weights, Budget(3, "")) * 4,
            "a GPU's VRAM takes layers, so a longer context fits next to the same RAM");
    }

    // llama3.2:3b at 4096 tokens: 28 blocks of 80,053,666 bytes (weights and their KV cache share), an output layer of
    // 247,652,589 (128256 × 3072 parameters at the model's 0.63 bytes a parameter), a graph of 268,959,744; 2,758,114,981
    // in all. Every GPU keeps 1 GiB free.
    // GPUs' free VRAM, GiB | layers on GPU | VRAM | described
    [Theory]
    [InlineData("", 0, 0L, "on CPU: 2.6 GiB RAM")]
    [InlineData("8", 29, 2_758_114_981L, "all 29 layers on GPU: 2.6 GiB VRAM")]
    [InlineData("3", 23, 2_110_194_062L, "23/29 layers on GPU: 2.0 GiB VRAM + 618 MiB RAM")] // (2 GiB − graph) / block = 23.5
    [InlineData("1.2", 0, 0L, "on CPU: 2.6 GiB RAM")]                                          // not the graph and one block
    [InlineData("2,2", 23, 2_110_194_062L, "23/29 layers on GPU: 2.0 GiB VRAM + 618 MiB RAM")] // 10 next to the graph, 13 on the second
    public void Whole_layers_go_to_the_GPUs_while_they_fit_and_the_rest_to_RAM(string gpus, int gpuLayers, long vram, string described)
    {
        MemoryEstimate e = MemoryEstimator.Place(MemoryEstimator.Estimate(Llama32(), 2_019_393_189, 4096), Budget(64, gpus));
        Assert.Equal(29, e.TotalLayers);
        Assert.Equal(gpuLayers, e.GpuLayers);
        Assert.Equal(vram, e.GpuBytes);
        Assert.Equal(e.TotalBytes - vram, e.CpuBytes);
        Assert.Equal(described, e.DescribePlacement());
    }

    [Fact]
    public void Without_architecture_facts_the_bytes_are_split_as_if_layers_were_fine_grained()
    {
        MemoryEstimate e = MemoryEstimator.Place(MemoryEstimator.Estimate(null, 1000, 4096), new MemoryBudget(0, new[] { MemoryBudget.GpuReserveBytes + 500 }));
        Assert.Null(e.TotalLayers);
        Assert.Null(e.GpuLayers);
        Assert.Equal(500, e.GpuBytes);
        Assert.Equal(700, e.CpuBytes);
        Assert.Null(MemoryEstimator.Estimate(null, 1000, 4096).DescribePlacement());
    }

    // RAM budget, GiB | GPUs' free VRAM, GiB | fits: what the GPUs cannot take (2.6 GiB without one, 618 MiB next to
    // a 3 GiB GPU) must fit the RAM.
    [Theory]
    [InlineData(3.0, "", true)]
    [InlineData(2.0, "", false)]
    [InlineData(1.0, "3", true)]
    [InlineData(0.5, "3", false)]
    [InlineData(0.0, "8", true)]
    public void A_model_fits_when_what_its_GPUs_cannot_take_fits_the_RAM(double ramGiB, string gpus, bool fits)
    {
        MemoryBudget budget = Budget(ramGiB, gpus);
        Assert.Equal(fits, MemoryEstimator.Fits(MemoryEstimator.Place(MemoryEstimator.Estimate(Llama32(), 2_019_393_189, 4096), budget), budget));
    }

    [Fact]
    public void A_machine_budget_is_its_available_RAM_and_reclaimable_memory_less_headroom_and_each_GPUs_free_VRAM()
    {
        var host = new HostResources
        {
            AvailableMemoryBytes = 8L << 30,
            Gpus = new[] { new GpuInfo { FreeBytes = 6L << 30 }, new GpuInfo { FreeBytes = 2L << 30 } },
        };
        MemoryBudget b = MemoryBudget.Of(host, reclaimableBytes: 1L << 30);
        Assert.Equal(8L << 30, b.RamBytes);
        Assert.Equal(new[] { 6L << 30, 2L << 30 }, b.GpuFreeBytes);
        Assert.Equal(MemoryFit.Budget(host) + (1L << 30), b.TotalBytes);
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
