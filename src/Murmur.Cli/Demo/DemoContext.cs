using System.Collections.Concurrent;
using Murmur.AI.Tools;
using Murmur.Topics;

namespace Murmur.Cli.Demo;

/// <summary>What the demo's agents share on one node: the tree, the co-located tools, the modelled think time and the accepted fixes.</summary>
internal sealed class DemoContext(string root, Consistency mode, TimeSpan think, int seed, int researchers)
{
    private readonly Random _random = new(seed);

    public string Root { get; } = root;

    public Consistency Mode { get; } = mode;

    public int Researchers { get; } = researchers;

    public ToolRegistry Tools { get; } = CreateTools(root);

    /// <summary>Fixes whose proposal was committed (eventual) or agreed (strict): what goes into patch.diff.</summary>
    public ConcurrentDictionary<string, Fix> Accepted { get; } = new(StringComparer.Ordinal);

    /// <summary>The modelled latency of one reasoning step of the scripted engine (seeded jitter, ±50 %).</summary>
    public Task ThinkAsync(CancellationToken cancellationToken)
    {
        double factor;
        lock (_random)
        {
            factor = 0.5 + _random.NextDouble();
        }
        return Task.Delay(TimeSpan.FromTicks((long)(think.Ticks * factor)), cancellationToken);
    }

    /// <summary>A tool invoker for one agent, limited to <paramref name="allowed"/>.</summary>
    public ToolInvoker Invoker(params string[] allowed) => new(Tools, allowed);

    private static ToolRegistry CreateTools(string root)
    {
        var tools = new ToolRegistry();
        foreach (var tool in BuiltInTools.All(root))
        {
            tools.Add(tool);
        }
        return tools;
    }
}
