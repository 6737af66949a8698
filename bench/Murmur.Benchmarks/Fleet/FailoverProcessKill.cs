using System.Diagnostics;
using Murmur.Events;
using Murmur.Fleet;
using Murmur.Nats;

namespace Murmur.Benchmarks.Fleet;

/// <summary>
/// The failover bench's default mode: a real <c>kill -9</c>. Every node is its own OS process — <c>murmur node</c> of
/// this build with the default fleet settings: a coder and reviewer node and a standby that takes any role over, which
/// live through the run, and per kill a fresh researcher node, the owner. Once the survivors have heard the owner beat
/// (3 s), a task is announced (<c>murmur task start</c>); as soon as the owner's announcement lists the task's
/// researcher, the owner is killed with SIGKILL, and the bench — its own connection reading the task's topic from the
/// log — times the standby's <c>CLAIM</c> of the agent (takeover) and the agent's first event from the standby
/// (resumed), then waits for the task to finish. An observe-only fleet counts <c>NODE_DOWN</c>s of nodes nobody
/// killed (false downs).
/// </summary>
internal static class FailoverProcessKill
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Beats of a new owner the survivors hear before the kill (500 ms apart by default): they learn its rhythm, as in a running fleet.</summary>
    private const int WarmBeats = 6;

    public static async Task RunAsync(BenchContext context, string name, string url, int kills)
    {
        var root = ExampleTree();
        var results = new TakeoverResults(name, "sigkill");
        var killed = new HashSet<string>(StringComparer.Ordinal);
        var falseDowns = 0;
        await using var log = await NatsEventLog.ConnectAsync(new NatsEventLogOptions { Url = url, ClientName = "murmur-failover-watch" });
        await using var observer = await MurmurNode.StartAsync(o => o.UseLog(log).Configure(x => x with { NodeId = "failover-watch" }));
        await using var fleet = await MurmurFleet.StartAsync(observer, FleetOptions.Default with { ObserveOnly = true });
        fleet.NodeDown += down =>
        {
            lock (killed)
            {
                if (!killed.Contains(down.Node))
                {
                    falseDowns++;
                    Console.Error.WriteLine($"# FALSE DOWN: {down.Node} declared down by {down.By} (phi {down.Phi:0.0})");
                }
            }
        };
        await using var members = await MembershipWatch.StartAsync(log);
        await using var coder = CliProcess.Start("coder", NodeArgs(url, root, "coder", "--agents", "coder,reviewer"));
        await using var standby = CliProcess.Start("standby", NodeArgs(url, root, "standby", "--takeover", "researcher,coder,reviewer"));
        await coder.WaitForLineAsync(l => l.Contains("waiting for tasks", StringComparison.Ordinal), Patience, "waiting for tasks");
        await standby.WaitForLineAsync(l => l.Contains("standby, takes over", StringComparison.Ordinal), Patience, "on standby");
        Console.Error.WriteLine($"# survivors up (coder, standby): {kills} owner(s) to kill with SIGKILL");
        for (var k = 1; k <= kills; k++)
        {
            var owner = $"owner{k}";
            lock (killed)
            {
                killed.Add(owner); // before it can be declared: its down is expected, whenever it comes
            }
            var (claimed, resumed) = await KillOnceAsync(log, members, url, root, owner, standby);
            results.Add(claimed, resumed);
            Console.Error.WriteLine($"# kill {k}/{kills}: claimed {claimed.TotalSeconds:0.000} s, resumed {(resumed is { } r ? $"{r.TotalSeconds:0.000} s" : "-")}");
        }
        lock (killed)
        {
            results.Report(context, falseDowns);
        }
    }

    private static async Task<(TimeSpan Claimed, TimeSpan? Resumed)> KillOnceAsync(NatsEventLog log, MembershipWatch members, string url, string root, string ownerId, CliProcess standby)
    {
        await using var owner = CliProcess.Start(ownerId, NodeArgs(url, root, ownerId, "--agents", "researcher"));
        await owner.WaitForLineAsync(l => l.Contains("waiting for tasks", StringComparison.Ordinal), Patience, "waiting for tasks");
        await members.WaitAsync(a => a.Node == ownerId && a.Beat >= WarmBeats, Patience, $"{ownerId} at beat {WarmBeats}");
        var (taskId, topic) = await StartTaskAsync(url);
        var agent = $"Researcher_{ownerId}_{taskId}";
        // Listed in the owner's announcement: the agent joined the topic, and whoever outlives the owner knows it owned it.
        await members.WaitAsync(a => a.Node == ownerId && a.Agents.Any(x => x.Agent == agent), Patience, $"{ownerId} owning {agent}");
        await using var watch = await TakeoverWatch.StartAsync(log, topic, agent, ownerId,
            finished: e => e.Action == Actions.TaskComplete && e.Actor.StartsWith("Coder_", StringComparison.Ordinal));
        var killedAt = Stopwatch.GetTimestamp();
        owner.Kill();
        (long At, string Node) claim;
        try
        {
            claim = await watch.Claimed.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"nobody claimed {agent} within {Patience.TotalSeconds:0} s of the kill:\n{standby.Tail()}\n{owner.Tail()}");
        }
        // The resumed agent publishes before the coder can complete (it waits for the researcher's TASK_COMPLETE), and
        // publishes nothing when the owner had finished its part before it died.
        await Task.WhenAny(watch.Resumed, watch.Finished).WaitAsync(Patience);
        TimeSpan? resumed = watch.Resumed.IsCompletedSuccessfully ? Stopwatch.GetElapsedTime(killedAt, watch.Resumed.Result.At) : null;
        try
        {
            await watch.Finished.WaitAsync(Patience);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"task {taskId} did not finish within {Patience.TotalSeconds:0} s of the takeover:\n{standby.Tail()}");
        }
        var code = await owner.WaitForExitAsync(Patience);
        Console.Error.WriteLine($"#   {ownerId} exited with {code} (SIGKILL); {agent} claimed by {claim.Node}, first event {(watch.Resumed.IsCompletedSuccessfully ? watch.Resumed.Result.Action : "none")}; task done");
        return (Stopwatch.GetElapsedTime(killedAt, claim.At), resumed);
    }

    /// <summary>Announces a task with <c>murmur task start</c> and returns its id and topic.</summary>
    private static async Task<(string Id, string Topic)> StartTaskAsync(string url)
    {
        await using var task = CliProcess.Start("task", "task", "start", "fix the auth_token leaks", "--log", url, "--researchers", "1");
        // "task ID (MODE) announced: topic TOPIC"
        var line = await task.WaitForLineAsync(l => l.Contains(" announced: topic ", StringComparison.Ordinal), Patience, "announced");
        var exit = await task.WaitForExitAsync(Patience);
        if (exit != 0)
        {
            throw new InvalidOperationException($"murmur task start exited with {exit}:\n{task.Tail()}");
        }
        var words = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (words[1], words[^1]);
    }

    private static string[] NodeArgs(string url, string root, string id, string roleOption, string roles)
        => ["node", "--log", url, roleOption, roles, "--root", root, "--node-id", id];

    /// <summary>The demo's source tree (examples/auth-token), found above the bench's folder.</summary>
    private static string ExampleTree()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "examples", "auth-token");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new DirectoryNotFoundException($"examples/auth-token not found above {AppContext.BaseDirectory}");
    }
}
