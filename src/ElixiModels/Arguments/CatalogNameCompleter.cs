using System.Collections.Generic;
using ElixiModels.Catalog;

namespace ElixiModels.Arguments;

/// <summary>Completes -Name with installed model names and the names in the module's catalog.</summary>
internal sealed class CatalogNameCompleter : ModelNameCompleter
{
    protected override IEnumerable<string> ExtraNames() => ModelCatalog.Default.Names;
}
