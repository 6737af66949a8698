namespace Murmur.AI.Tests.Support;

/// <summary>
/// Tests that must not run beside others: they look at process-wide state (this process's children) that other tests
/// change. xUnit runs this collection after the parallel ones, with nothing beside it.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunsAlone
{
    /// <summary>The collection's name.</summary>
    public const string Name = "runs alone";
}
