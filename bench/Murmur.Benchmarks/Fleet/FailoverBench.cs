using Murmur.Benchmarks.Log;

namespace Murmur.Benchmarks.Fleet;

/// <summary>
/// Takeover time on a loopback 3-server NATS cluster with the default fleet settings: from the death of an agent's
/// owner to the new owner's claim (<c>takeover_seconds</c>) and to the agent's first event from it
/// (<c>resumed_seconds</c>), p50 and p99 over 5 kills (<c>--quick</c>) or 12, and the live nodes declared down meanwhile
/// (<c>false_downs</c>). By default every node is a <c>murmur node</c> process and the owner gets a real SIGKILL
/// (<see cref="FailoverProcessKill"/>, results tagged <c>"kill":"sigkill"</c>); <c>--in-process</c> runs the nodes in
/// the bench's process and cuts the owner off there (<see cref="FailoverInProcess"/>, <c>"kill":"in-process"</c>).
/// With <c>--soak=SECONDS [--load=N]</c> it runs <see cref="FailoverSoak"/> instead: live nodes under CPU load, false downs counted.
/// </summary>
internal sealed class FailoverBench : IBench
{
    public string Name => "failover";

    public async Task RunAsync(BenchContext context)
    {
        var args = Environment.GetCommandLineArgs();
        await using var servers = await NatsServers.StartAsync(3, 44221, 46221, 48221, jetStream: true);
        Console.Error.WriteLine($"# nats cluster up: {servers.Url}");
        if (FailoverSoak.Requested(args) is { } soak)
        {
            await FailoverSoak.RunAsync(context, Name, servers.Url, soak.Seconds, soak.Load);
            return;
        }
        var kills = context.Quick ? 5 : 12;
        if (args.Contains("--in-process"))
        {
            await FailoverInProcess.RunAsync(context, Name, servers.Url, kills);
        }
        else
        {
            await FailoverProcessKill.RunAsync(context, Name, servers.Url, kills);
        }
    }
}
