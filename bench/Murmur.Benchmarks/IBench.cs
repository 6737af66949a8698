namespace Murmur.Benchmarks;

/// <summary>A named whole-system measurement; every implementation is found by reflection.</summary>
internal interface IBench
{
    /// <summary>The name given on the command line, e.g. <c>spawn</c>.</summary>
    string Name { get; }

    /// <summary>Runs the measurement and writes one JSON line per system and metric.</summary>
    Task RunAsync(BenchContext context);
}
