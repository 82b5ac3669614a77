using System;
using System.Collections.Generic;

namespace OllamaSimulator;

/// <summary>The default fleet: realistic names, sizes and digests, but fast enough for tests.</summary>
internal static class DefaultFleet
{
    private static SimModel Llama32() => new()
    {
        Name = "llama3.2:3b",
        SizeBytes = 2_019_393_189,
        ParameterCount = 3_212_749_888,
        ParameterSize = "3.2B",
        Family = "llama",
        Quantization = "Q4_K_M",
        Capabilities = new[] { "completion", "tools" },
        ContextLength = 131_072,
        EmbeddingLength = 3072,
        BlockCount = 28,
        LoadTime = TimeSpan.FromMilliseconds(150),
        PromptTokensPerSecond = 1500,
        GenerateTokensPerSecond = 120,
        Digest = "a80c4f17acd55265feec403c7aef86be0c25983ab279d83f3bcd3abbcb5b8b72",
        LayerCount = 6,
    };

    private static SimModel QwenCoder() => new()
    {
        Name = "qwen2.5-coder:7b",
        SizeBytes = 4_683_087_332,
        ParameterCount = 7_615_616_512,
        ParameterSize = "7.6B",
        Family = "qwen2",
        Quantization = "Q4_K_M",
        Capabilities = new[] { "completion", "tools", "insert" },
        ContextLength = 32_768,
        EmbeddingLength = 3584,
        BlockCount = 28,
        LoadTime = TimeSpan.FromMilliseconds(250),
        PromptTokensPerSecond = 800,
        GenerateTokensPerSecond = 60,
        Digest = "dae161e27b0e90dd1856c8bb3209201fd6736d8eb66298e75ed87571486f4364",
        LayerCount = 5,
    };

    private static SimModel NomicEmbed() => new()
    {
        Name = "nomic-embed-text:latest",
        SizeBytes = 274_302_450,
        ParameterCount = 136_727_040,
        ParameterSize = "137M",
        Family = "nomic-bert",
        Quantization = "F16",
        Capabilities = new[] { "embedding" },
        ContextLength = 2048,
        EmbeddingLength = 768,
        BlockCount = 12,
        LoadTime = TimeSpan.FromMilliseconds(50),
        PromptTokensPerSecond = 2000,
        GenerateTokensPerSecond = 200,
        Digest = "0a109f422b47e3a30ba2b10eca18548e944e8a23073ee3f3e947efcf3c45e59f",
        LayerCount = 4,
    };

    private static SimModel Llava() => new()
    {
        Name = "llava:7b",
        SizeBytes = 4_733_363_377,
        ParameterCount = 7_241_732_096,
        ParameterSize = "7B",
        Family = "llama",
        Families = new[] { "llama", "clip" },
        Quantization = "Q4_0",
        Capabilities = new[] { "completion", "vision" },
        ContextLength = 32_768,
        EmbeddingLength = 4096,
        BlockCount = 32,
        LoadTime = TimeSpan.FromMilliseconds(300),
        PromptTokensPerSecond = 700,
        GenerateTokensPerSecond = 50,
        VramFraction = 0.85,
        Digest = "8dd30f6b0cb19f555f2c7a7ebda861449ea2cc76bf1f44e262931f45fc81d081",
        LayerCount = 6,
    };

    private static SimModel Phi3() => new()
    {
        Name = "phi3:mini",
        SizeBytes = 2_176_178_913,
        ParameterCount = 3_821_079_552,
        ParameterSize = "3.8B",
        Family = "phi3",
        Quantization = "Q4_0",
        Capabilities = new[] { "completion" },
        ContextLength = 131_072,
        EmbeddingLength = 3072,
        BlockCount = 32,
        LoadTime = TimeSpan.FromMilliseconds(150),
        PromptTokensPerSecond = 1200,
        GenerateTokensPerSecond = 90,
        Digest = "4f222292793889a9a40a020799cfd28d53f3e01af25d48e06c5e708610fc47e9",
        LayerCount = 5,
    };

    private static SimModel DeepseekR1() => new()
    {
        Name = "deepseek-r1:8b",
        SizeBytes = 5_225_376_047,
        ParameterCount = 8_190_735_360,
        ParameterSize = "8.2B",
        Family = "qwen3",
        Quantization = "Q4_K_M",
        Capabilities = new[] { "completion", "thinking" },
        ContextLength = 131_072,
        EmbeddingLength = 4096,
        BlockCount = 36,
        LoadTime = TimeSpan.FromMilliseconds(280),
        PromptTokensPerSecond = 600,
        GenerateTokensPerSecond = 45,
        Digest = "6995872bfe4c521a67b32da386cd21d5c6e819b6e0d62f79f64ec83be99f5763",
        LayerCount = 4,
    };

    private static SimModel Gemma3_1b() => new()
    {
        Name = "gemma3:1b",
        SizeBytes = 815_319_791,
        ParameterCount = 999_885_952,
        ParameterSize = "999.89M",
        Family = "gemma3",
        Quantization = "Q4_K_M",
        Capabilities = new[] { "completion" },
        ContextLength = 32_768,
        EmbeddingLength = 1152,
        BlockCount = 26,
        LoadTime = TimeSpan.FromMilliseconds(60),
        PromptTokensPerSecond = 2000,
        GenerateTokensPerSecond = 200,
        Digest = "8648f39daa8fbf5b18c7b4e6a8fb4990c692751d49917417b8842ca5758e7ffc",
        LayerCount = 5,
    };

    private static IEnumerable<SimModel> RemoteOnly()
    {
        yield return new SimModel
        {
            Name = "mistral:7b",
            SizeBytes = 4_372_824_384,
            ParameterCount = 7_248_023_552,
            ParameterSize = "7.2B",
            Family = "llama",
            Quantization = "Q4_K_M",
            Capabilities = new[] { "completion", "tools" },
            ContextLength = 32_768,
            EmbeddingLength = 4096,
            BlockCount = 32,
            LoadTime = TimeSpan.FromMilliseconds(250),
            GenerateTokensPerSecond = 55,
            PromptTokensPerSecond = 700,
            Digest = "6577803aa9a036369e481d648a2baebb381ebc6e897f2bb9a766a2aa7bfbc1cf",
            LayerCount = 5,
        };
        yield return new SimModel
        {
            Name = "qwen2.5:0.5b",
            SizeBytes = 397_821_319,
            ParameterCount = 494_032_768,
            ParameterSize = "494.03M",
            Family = "qwen2",
            Quantization = "Q4_K_M",
            Capabilities = new[] { "completion", "tools" },
            ContextLength = 32_768,
            EmbeddingLength = 896,
            BlockCount = 24,
            LoadTime = TimeSpan.FromMilliseconds(60),
            GenerateTokensPerSecond = 200,
            PromptTokensPerSecond = 2000,
            Digest = "a8b0c51577010a279d933d14c2a8ab4b268079d44c5c8830c0a93900f1827c67",
            LayerCount = 5,
        };
        yield return new SimModel
        {
            Name = "codellama:7b",
            SizeBytes = 3_825_910_662,
            ParameterCount = 6_738_546_688,
            ParameterSize = "7B",
            Family = "llama",
            Quantization = "Q4_0",
            Capabilities = new[] { "completion", "insert" },
            ContextLength = 16_384,
            EmbeddingLength = 4096,
            BlockCount = 32,
            LoadTime = TimeSpan.FromMilliseconds(220),
            GenerateTokensPerSecond = 60,
            PromptTokensPerSecond = 800,
            Digest = "8fdf8f752f6e80de33e82f381aba784c025982752cd1ae9377add66449d2225f",
            LayerCount = 6,
        };
        yield return new SimModel
        {
            Name = "llama3.1:8b",
            SizeBytes = 4_920_753_328,
            ParameterCount = 8_030_261_312,
            ParameterSize = "8.0B",
            Family = "llama",
            Quantization = "Q4_K_M",
            Capabilities = new[] { "completion", "tools" },
            ContextLength = 131_072,
            EmbeddingLength = 4096,
            BlockCount = 32,
            LoadTime = TimeSpan.FromMilliseconds(280),
            GenerateTokensPerSecond = 50,
            PromptTokensPerSecond = 650,
            Digest = "46e0c10c039e019119339687c3c1757cc81b9da49709a3b3924863ba87ca666e",
            LayerCount = 5,
        };
        yield return new SimModel
        {
            Name = "tinyllama:latest",
            SizeBytes = 637_700_138,
            ParameterCount = 1_100_048_384,
            ParameterSize = "1B",
            Family = "llama",
            Quantization = "Q4_0",
            Capabilities = new[] { "completion" },
            ContextLength = 2048,
            EmbeddingLength = 2048,
            BlockCount = 22,
            LoadTime = TimeSpan.FromMilliseconds(60),
            GenerateTokensPerSecond = 180,
            PromptTokensPerSecond = 2000,
            Digest = "2644915ede352ea7bdfaff0bfac0be74c719d5d5202acb63a6fb095b52f394a4",
            LayerCount = 4,
        };
        yield return new SimModel
        {
            Name = "smollm2:135m",
            SizeBytes = 270_898_672,
            ParameterCount = 134_515_008,
            ParameterSize = "134.52M",
            Family = "llama",
            Quantization = "F16",
            Capabilities = new[] { "completion", "tools" },
            ContextLength = 8192,
            EmbeddingLength = 576,
            BlockCount = 30,
            LoadTime = TimeSpan.FromMilliseconds(50),
            GenerateTokensPerSecond = 200,
            PromptTokensPerSecond = 2000,
            Digest = "9077fe9d2ae1a4a9a41ed2e5c8b3d2e3ee6b4b9a7e0b6e1ba32b6cf1e6a4f7d1",
            LayerCount = 4,
        };
        yield return new SimModel
        {
            Name = "mxbai-embed-large:latest",
            SizeBytes = 669_615_493,
            ParameterCount = 334_094_336,
            ParameterSize = "334M",
            Family = "bert",
            Quantization = "F16",
            Capabilities = new[] { "embedding" },
            ContextLength = 512,
            EmbeddingLength = 1024,
            BlockCount = 24,
            LoadTime = TimeSpan.FromMilliseconds(80),
            GenerateTokensPerSecond = 200,
            PromptTokensPerSecond = 2000,
            Digest = "468836162de7f81e041c43663fedbbba921dcea9b9fefea135685a39b2d83dd8",
            LayerCount = 4,
        };
        yield return new SimModel
        {
            Name = "gemma3:4b",
            SizeBytes = 3_338_801_804,
            ParameterCount = 4_299_915_632,
            ParameterSize = "4.3B",
            Family = "gemma3",
            Quantization = "Q4_K_M",
            Capabilities = new[] { "completion", "vision" },
            ContextLength = 131_072,
            EmbeddingLength = 2560,
            BlockCount = 34,
            LoadTime = TimeSpan.FromMilliseconds(200),
            GenerateTokensPerSecond = 80,
            PromptTokensPerSecond = 1000,
            Digest = "a2af6cc3eb7fa8be8504abaf9b04e88f17a119ec3f04a3addf55f92841195f5a",
            LayerCount = 5,
        };
        yield return new SimModel
        {
            Name = "qwen3:4b",
            SizeBytes = 2_497_293_918,
            ParameterCount = 4_022_468_096,
            ParameterSize = "4.0B",
            Family = "qwen3",
            Quantization = "Q4_K_M",
            Capabilities = new[] { "completion", "tools", "thinking" },
            ContextLength = 262_144,
            EmbeddingLength = 2560,
            BlockCount = 36,
            LoadTime = TimeSpan.FromMilliseconds(180),
            GenerateTokensPerSecond = 85,
            PromptTokensPerSecond = 1000,
            Digest = "359d7dd4bcdab3d86b87d73ac27966f4dbb9f5efdfcc75d34a8764a09474fae0",
            LayerCount = 4,
        };
    }

    public static SimulatorState Create()
    {
        var state = new SimulatorState();
        // OLLAMA_SIMULATOR_VERSION=0.23.0 runs a whole test suite against the older API.
        if (Environment.GetEnvironmentVariable(SimulatorState.VersionVariable) is { Length: > 0 } version)
        {
            state.Version = version;
        }

        // Installed a few days apart (so /api/tags has a stable most-recent-first order).
        DateTimeOffset baseTime = new DateTimeOffset(2026, 11, 20, 9, 15, 42, TimeSpan.Zero).AddTicks(6_109_714);
        Func<SimModel>[] installed = { Llama32, QwenCoder, NomicEmbed, Llava, Phi3, DeepseekR1, Gemma3_1b };
        for (int i = 0; i < installed.Length; i++)
        {
            SimModel m = installed[i]();
            m.ModifiedAt = baseTime.AddHours(-29 * i).AddTicks(i * 1_234_567);
            state.AddInstalled(m);
            SimModel remote = installed[i]();
            remote.ModifiedAt = m.ModifiedAt;
            state.AddRemote(remote);
        }

        foreach (SimModel m in RemoteOnly())
        {
            state.AddRemote(m);
        }

        return state;
    }
}
