using System;
using System.Collections.Generic;
using System.Globalization;
using ElixiModels.Selection;

namespace ElixiModels.Benchmark;

/// <summary>
/// The built-in prompt sets, one per task type, and the per-run variation. Every request's prompt starts with its own
/// random marker: Ollama reuses the KV cache of a matching prompt prefix, which would make prefill look faster on
/// repeated runs, so requests must not share their opening tokens (within a measurement or with an earlier one).
/// </summary>
public static class BenchmarkPrompts
{
    private static readonly Dictionary<ModelTask, string[]> Sets = new()
    {
        [ModelTask.General] = new[]
        {
            "Explain in detail how a refrigerator keeps food cold, step by step, for a curious teenager.",
            "Describe the history of the bicycle, from the first designs to modern electric bikes.",
            "Give thorough, practical advice for someone preparing for their first job interview.",
            "Explain how the internet delivers a web page to a browser, covering DNS, TCP and HTTP.",
            "Write a detailed guide to planning a week-long trip on a modest budget.",
        },
        [ModelTask.Coding] = new[]
        {
            "Write a Python function that parses a CSV file of orders and returns the total per customer, with tests.",
            "Implement a thread-safe LRU cache in C# with generic keys and values, and explain the design.",
            "Write a JavaScript function that debounces another function, then show three ways to test it.",
            "Implement binary search over a sorted array in Go, handle every edge case, and add table-driven tests.",
            "Write a PowerShell function that finds the ten largest files under a folder and reports their sizes.",
        },
        [ModelTask.Analysis] = new[]
        {
            "A bat and a ball cost 1.10 in total; the bat costs 1.00 more than the ball. Reason step by step to the price of the ball, then explain the common mistake.",
            "Compare renting and buying a home over ten years: list the factors, estimate each, and reach a conclusion.",
            "Analyse the trade-offs between microservices and a monolith for a team of five engineers.",
            "Three boxes are labelled apples, oranges and mixed, and every label is wrong. Reason out how one draw identifies all three.",
            "Evaluate the claim that remote work raises productivity: weigh the evidence for and against.",
        },
        [ModelTask.Creative] = new[]
        {
            "Write a long short story about a lighthouse keeper who finds a message in a bottle.",
            "Write a poem in five stanzas about the first snow of winter in a big city.",
            "Invent a fantasy creature and describe its habitat, habits and a legend told about it.",
            "Write the opening chapter of a mystery novel set on a night train across Europe.",
            "Write a heartfelt letter from an old robot to the engineer who built it.",
        },
        [ModelTask.Fast] = new[]
        {
            "List ten everyday uses of vinegar.",
            "Give five tips for better sleep.",
            "Name the planets of the solar system with one fact each.",
            "Summarise the rules of chess briefly.",
            "List ten common English idioms and their meanings.",
        },
    };

    /// <summary>Task types that have a built-in prompt set.</summary>
    public static IReadOnlyCollection<ModelTask> Tasks => Sets.Keys;

    /// <summary>The built-in prompts for <paramref name="task"/>; tasks without their own set use the general one.</summary>
    public static IReadOnlyList<string> For(ModelTask task) => Sets.TryGetValue(task, out string[]? set) ? set : Sets[ModelTask.General];

    /// <summary>A fresh random id for one measurement, so prompts differ from any earlier measurement's too.</summary>
    public static string NewSalt() => Guid.NewGuid().ToString("N").Substring(0, 8);

    /// <summary>
    /// The prompt of one request: a marker derived from (<paramref name="salt"/>, <paramref name="request"/>) first,
    /// then <paramref name="custom"/> or the next prompt of the set.
    /// </summary>
    public static string Build(ModelTask task, string? custom, string salt, int request)
    {
        IReadOnlyList<string> set = For(task);
        string body = string.IsNullOrWhiteSpace(custom) ? set[request % set.Count] : custom!;
        return string.Format(CultureInfo.InvariantCulture, "{0:x8} {1}", Marker(salt, request), body);
    }

    // FNV-1a: cheap, and different for every request of a measurement.
    private static uint Marker(string salt, int request)
    {
        uint hash = 2166136261;
        foreach (char c in salt + "#" + request.ToString(CultureInfo.InvariantCulture))
        {
            hash = (hash ^ c) * 16777619;
        }

        return hash;
    }
}
