namespace ElixiModels.Models;

/// <summary>Where the architecture facts of a <see cref="MemoryEstimate"/> came from.</summary>
public enum MemoryEstimateBasis
{
    /// <summary>The installed model's /api/show model_info.</summary>
    ModelInfo,

    /// <summary>The architecture facts shipped in the module's catalog for a downloadable model.</summary>
    Catalog,

    /// <summary>No architecture facts: the size plus 20 %, the same at every context length.</summary>
    Size,
}
