using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using ElixiModels.Tests.Harness;
using Xunit;
using ElixiModels.Cmdlets;
using ElixiModels.Arguments;
using ElixiModels.Presenters;

namespace ElixiModels.Tests.Pipeline;

public sealed class RemoveOllamaModelTests : IAsyncLifetime
{
    private readonly SimulatedOllama _sim = new();

    public Task InitializeAsync() => _sim.InitializeAsync();

    public Task DisposeAsync() => _sim.DisposeAsync();

    private string[] Deleted() => _sim.State.Log.Entries.Where(e => e.Method == "DELETE").Select(e => e.Model!).ToArray();

    [Fact]
    public void Deletes_piped_models_and_PassThru_outputs_them()
    {
        PsResult r = _sim.Ps.Invoke("Get-OllamaModel -Name 'gemma3*', 'phi3*' | Remove-OllamaModel -Confirm:$false -PassThru");
        r.AssertNoErrors();
        Assert.Equal(new object?[] { "phi3:mini", "gemma3:1b" }, r.Property("Name"));
        Assert.Equal("ElixiModels.Models.OllamaModel", r.Output[0].BaseObject.GetType().FullName);
        Assert.Null(_sim.State.FindInstalled("gemma3:1b"));
        Assert.Null(_sim.State.FindInstalled("phi3:mini"));
        Assert.Equal(new[] { "phi3:mini", "gemma3:1b" }, Deleted());
    }

    [Fact]
    public void Without_PassThru_nothing_is_output()
    {
        PsResult r = _sim.Ps.Invoke("Remove-OllamaModel gemma3:1b -Confirm:$false");
        r.AssertNoErrors();
        Assert.Empty(r.Output);
        Assert.Null(_sim.State.FindInstalled("gemma3:1b"));
    }

    [Theory]
    [InlineData(2, false)] // [N] No
    [InlineData(0, true)]  // [Y] Yes
    public void Asks_for_confirmation_by_default(int answer, bool removed)
    {
        _sim.Ps.Host.ChoiceAnswers.Enqueue(answer);
        PsResult r = _sim.Ps.Invoke("Remove-OllamaModel gemma3:1b");
        r.AssertNoErrors();
        Assert.Contains(_sim.Ps.Host.Prompts, p => p.Contains("gemma3:1b") && p.Contains("Delete the model"));
        Assert.Equal(removed, _sim.State.FindInstalled("gemma3:1b") is null);
        Assert.Equal(removed ? 1 : 0, Deleted().Length);
    }

    [Fact]
    public void The_active_model_is_refused_unless_Force_and_then_unloaded_and_forgotten()
    {
        _sim.Ps.Invoke("Switch-OllamaModel phi3:mini").AssertNoErrors();
        PsResult r = _sim.Ps.Invoke("Remove-OllamaModel phi3:mini -Confirm:$false");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.Equal("ActiveModelNotRemoved,ElixiModels.Commands.RemoveOllamaModelCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidOperation, e.CategoryInfo.Category);
        Assert.Contains("-Force", e.ErrorDetails.RecommendedAction);
        Assert.NotNull(_sim.State.FindInstalled("phi3:mini"));
        Assert.Empty(Deleted());

        r = _sim.Ps.Invoke("Remove-OllamaModel phi3:mini -Force -Confirm:$false");
        r.AssertNoErrors();
        Assert.Null(_sim.State.FindInstalled("phi3:mini"));
        Assert.Empty(_sim.State.Loaded);

        // The session no longer has an active model, so the next switch has no previous one.
        PsResult next = _sim.Ps.Invoke("Switch-OllamaModel llama3.2:3b");
        Assert.Null(next.Output.Single().Properties["PreviousModel"].Value);
    }

    [Fact]
    public void A_loaded_model_is_unloaded_before_it_is_deleted()
    {
        _sim.State.MarkLoaded("gemma3:1b");
        PsResult r = _sim.Ps.Invoke("Remove-OllamaModel gemma3:1b -Confirm:$false");
        r.AssertNoErrors();
        Assert.Empty(_sim.State.Loaded);
        var calls = _sim.State.Log.Entries.Where(e => e.Path is "/api/generate" or "/api/delete").Select(e => e.Path).ToArray();
        Assert.Equal(new[] { "/api/generate", "/api/delete" }, calls);
    }

    [Fact]
    public void An_unknown_name_is_an_error_with_suggestions_and_deletes_nothing()
    {
        PsResult r = _sim.Ps.Invoke("Remove-OllamaModel phi3:min -Confirm:$false");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.StartsWith("ModelNotFound,", e.FullyQualifiedErrorId);
        Assert.Contains("Did you mean: phi3:mini", e.Exception.Message);
        Assert.Empty(Deleted());
    }

    [Fact]
    public void Wildcards_select_several_and_matching_nothing_is_no_error()
    {
        PsResult r = _sim.Ps.Invoke("Remove-OllamaModel 'll*', 'nothing*' -Confirm:$false -PassThru");
        r.AssertNoErrors();
        Assert.Equal(new object?[] { "llama3.2:3b", "llava:7b" }, r.Property("Name"));
    }

    [Fact]
    public void A_server_error_is_reported_per_model()
    {
        _sim.State.Faults.FailNext("/api/delete", 500, "remove /root/.ollama/models/manifests/x: permission denied");
        PsResult r = _sim.Ps.Invoke("Remove-OllamaModel gemma3:1b, phi3:mini -Confirm:$false -PassThru");
        ErrorRecord e = Assert.Single(r.Errors);
        Assert.Contains("permission denied", e.Exception.Message);
        Assert.Equal("gemma3:1b", e.TargetObject);
        Assert.Equal(new object?[] { "phi3:mini" }, r.Property("Name"));
    }
}
