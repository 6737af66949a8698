using System.Reflection;
using System.Runtime;
using Murmur.Benchmarks;

// dotnet run -c Release --project bench/Murmur.Benchmarks -- <name>|all [--quick]
// Any other arguments (e.g. "micro --filter *") are handed to BenchmarkDotNet.
var benches = typeof(IBench).Assembly.GetTypes()
    .Where(t => !t.IsAbstract && typeof(IBench).IsAssignableFrom(t))
    .Select(t => (IBench)Activator.CreateInstance(t)!)
    .OrderBy(b => b.Name, StringComparer.Ordinal)
    .ToDictionary(b => b.Name, StringComparer.Ordinal);

if (args.Length > 0 && args[0] == "micro")
{
    BenchmarkDotNet.Running.BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args[1..]);
    return 0;
}

var names = args.Where(a => !a.StartsWith("--", StringComparison.Ordinal)).ToList();
var quick = args.Contains("--quick");
if (names.Count == 0)
{
    Console.Error.WriteLine($"usage: murmur-bench <{string.Join('|', benches.Keys)}|all> [--quick]   (or: micro --filter *)");
    return 2;
}
Console.Error.WriteLine($"# gc: server={GCSettings.IsServerGC} latency={GCSettings.LatencyMode} cores={Environment.ProcessorCount} quick={quick}");
var context = new BenchContext(quick, Console.Out);
foreach (var name in names.Contains("all") ? benches.Keys.ToList() : names)
{
    if (!benches.TryGetValue(name, out var bench))
    {
        Console.Error.WriteLine($"unknown benchmark '{name}'; known: {string.Join(", ", benches.Keys)}");
        return 2;
    }
    await bench.RunAsync(context);
}
return 0;
