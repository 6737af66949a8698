using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Murmur.Benchmarks.Log;
using Murmur.Benchmarks.Runtime;
using Murmur.Nats;

namespace Murmur.Benchmarks.Scale;

/// <summary>
/// N topics × 2 nodes (one working agent each) over a 3-server JetStream cluster started by the bench: the time until
/// every agent was handed both JOINs and both FINDINGs, the consumers the servers hold for it, their memory, and what is
/// left on the servers after the nodes stopped.
/// </summary>
internal static class NatsScale
{
    private const int HttpBase = 38271;

    public static async Task RunAsync(BenchContext context)
    {
        var n = context.Quick ? 2_000 : 10_000;
        await using var servers = await NatsServers.StartAsync(3, 34271, 36271, HttpBase, jetStream: true).ConfigureAwait(false);
        var options = NatsEventLogOptions.Default with { Url = servers.Url, StreamName = "SCALE" };
        var nodes = new MurmurNode[2];
        for (var i = 0; i < nodes.Length; i++)
        {
            var id = $"node{i + 1}";
            nodes[i] = await MurmurNode.StartAsync(o => o.UseNats(options).Configure(x => x with { NodeId = id })).ConfigureAwait(false);
        }
        ScaleCounters.Reset();
        var idleConsumers = await ConsumersAsync().ConfigureAwait(false);
        var start = Stopwatch.GetTimestamp();
        await Parallel.ForEachAsync(Enumerable.Range(0, n), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            for (var k = 0; k < nodes.Length; k++)
            {
                var topic = await nodes[k].OpenTopicAsync($"t{i}", Murmur.Topics.Consistency.Eventual, ct).ConfigureAwait(false);
                await nodes[k].SpawnAsync($"t{i}_on_node{k + 1}", static () => new OnceAgent(), topic, cancellationToken: ct).ConfigureAwait(false);
            }
        }).ConfigureAwait(false);
        long expected = (long)n * 2 * 4;
        await Measure.WaitUntilAsync(() => ScaleCounters.Handed >= expected, TimeSpan.FromMinutes(20), $"{n} topics over NATS").ConfigureAwait(false);
        var seconds = Measure.Seconds(start);
        var consumers = await ConsumersAsync().ConfigureAwait(false) - idleConsumers;
        var rss = await ServerMemoryAsync().ConfigureAwait(false);
        context.Report("scale", "murmur", "setup_seconds", seconds, "s", ("log", "nats"), ("n", n));
        context.Report("scale", "murmur", "server_consumers", consumers, "consumers", ("log", "nats"), ("n", n), ("nodes", nodes.Length));
        context.Report("scale", "murmur", "server_rss_mib", rss / 1048576.0, "MiB", ("log", "nats"), ("n", n));
        foreach (var node in nodes)
        {
            await node.DisposeAsync().ConfigureAwait(false);
        }
        var stopped = Stopwatch.GetTimestamp();
        var left = await ConsumersAsync().ConfigureAwait(false);
        while (left > 0 && Measure.Seconds(stopped) < 10)
        {
            await Task.Delay(100).ConfigureAwait(false);
            left = await ConsumersAsync().ConfigureAwait(false);
        }
        context.Report("scale", "murmur", "consumers_left_after_stop", left, "consumers", ("log", "nats"), ("n", n), ("after_seconds", Math.Round(Measure.Seconds(stopped), 1)));
    }

    /// <summary>Consumers the three servers hold, from their monitoring endpoints (<c>/jsz</c>).</summary>
    private static async Task<long> ConsumersAsync() => await SumAsync("jsz", "consumers").ConfigureAwait(false);

    /// <summary>The servers' resident memory (<c>/varz</c> <c>mem</c>), summed.</summary>
    private static async Task<long> ServerMemoryAsync() => await SumAsync("varz", "mem").ConfigureAwait(false);

    private static async Task<long> SumAsync(string endpoint, string property)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        long sum = 0;
        for (var i = 0; i < 3; i++)
        {
            var json = await http.GetStringAsync(new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{HttpBase + i}/{endpoint}"))).ConfigureAwait(false);
            using var document = JsonDocument.Parse(json);
            sum += document.RootElement.TryGetProperty(property, out var value) ? value.GetInt64() : 0;
        }
        return sum;
    }
}
