using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Murmur.Agents;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Topics;
using Xunit.Abstractions;

namespace Murmur.Nats.Integration.Tests;

/// <summary>Issue 9's storm: 20 kills of a random server of the three during a 100,000-event run at R3.</summary>
public sealed class NatsKillStormTests(ITestOutputHelper output)
{
    /// <summary>A wait fails when its node delivers nothing new for this long (the run as a whole is bounded below).</summary>
    /// <summary>A stream of its own per run, deleted at the end (recreating one name right away confuses a 2.9 server that is killed soon after).</summary>
    private readonly string _stream = $"MURMUR_STORM_{Guid.NewGuid():N}"[..21];

    private static readonly TimeSpan NoProgress = TimeSpan.FromSeconds(60);

    private readonly RecordingLoggerFactory _logs = new(LogLevel.Information);
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private sealed class Talker : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is int count)
            {
                for (var i = 0; i < count; i++)
                {
                    await Topics[0].PublishAsync("say", new { i }, cancellationToken: cancellationToken);
                }
                Context.Reply(count);
            }
        }
    }

    private Task<MurmurNode> NodeAsync(string name) => MurmurNode.StartAsync(o =>
    {
        o.UseNats(new NatsEventLogOptions
        {
            Url = NatsCluster.Url,
            StreamName = _stream,
            SubjectPrefix = _stream.ToLowerInvariant(),
            Replicas = 3,
        });
        o.Options = o.Options with { NodeId = name, Runtime = o.Options.Runtime with { LoggerFactory = _logs } };
    });

    [Fact]
    public async Task TwentyServerKills_During100kEventsAtR3_NothingLostNothingDuplicated()
    {
        const int PerNode = 50_000, Kills = 20, Chunk = PerNode / (Kills + 2), BeforeKill = 200, DuringOutage = 500;
        const int Total = 2 + (2 * PerNode);
        await using var n1 = await NodeAsync("storm1");
        await using var n2 = await NodeAsync("storm2");
        var topic = $"storm-{Guid.NewGuid():N}";
        var t1 = await n1.OpenTopicAsync(topic);
        var t2 = await n2.OpenTopicAsync(topic);
        var a = await n1.SpawnAsync("A", () => new Talker(), t1);
        var b = await n2.SpawnAsync("B", () => new Talker(), t2);
        var random = new Random(20);
        var outages = new List<TimeSpan>();
        var sent = 0;
        try
        {
            // Each round, both senders publish a chunk; a server is killed once the chunk flows, both nodes must deliver
            // DuringOutage more events while it is down, then it is restarted and the chunk finishes. So every kill
            // lands in the middle of traffic, however fast or slow the previous outage was.
            for (var kill = 1; kill <= Kills + 1; kill++)
            {
                var chunk = kill <= Kills ? Chunk : PerNode - sent;
                var (s1, s2) = (t1.DeliveredCount, t2.DeliveredCount);
                var sendA = n1.Runtime.AskAsync<int>(a, chunk, TimeSpan.FromMinutes(5));
                var sendB = n2.Runtime.AskAsync<int>(b, chunk, TimeSpan.FromMinutes(5));
                sent += chunk;
                if (kill <= Kills)
                {
                    await ProgressAsync($"round {kill} flowing", t1, s1 + BeforeKill, t2, s2 + BeforeKill);
                    var victim = 1 + random.Next(3);
                    var (at1, at2) = (t1.DeliveredCount, t2.DeliveredCount);
                    var down = _clock.Elapsed;
                    NatsCluster.Kill(victim);
                    Note($"killed n{victim}; delivered {at1} / {at2}");
                    try
                    {
                        await ProgressAsync($"n{victim} down", t1, at1 + DuringOutage, t2, at2 + DuringOutage);
                        outages.Add(_clock.Elapsed - down);
                        Note($"both nodes delivered {DuringOutage} more with n{victim} down in {outages[^1].TotalSeconds:F1} s");
                    }
                    finally
                    {
                        await NatsCluster.RestartAsync(victim);
                        Note($"restarted n{victim}; delivered {t1.DeliveredCount} / {t2.DeliveredCount}");
                    }
                }
                await ProgressAsync($"round {kill} done", t1, 2 + (2 * sent), t2, 2 + (2 * sent));
                await Task.WhenAll(sendA, sendB).WaitAsync(NoProgress);
            }
        }
        catch
        {
            foreach (var line in _logs.Lines.TakeLast(400))
            {
                output.WriteLine(line);
            }
            await NatsCluster.DeleteStreamAsync(_stream);
            throw;
        }
        Note($"done; {Kills} outages took {outages.Min().TotalSeconds:F1}–{outages.Max().TotalSeconds:F1} s " +
            $"(median {outages.Order().ElementAt(outages.Count / 2).TotalSeconds:F1} s) to deliver {DuringOutage} more events on both nodes; " +
            $"{_logs.Lines.Count(l => l.Contains("Murmur.Nats", StringComparison.Ordinal))} log-level notes from the NATS log");
        foreach (var line in _logs.Lines.Where(l => l.Contains("Murmur.Nats", StringComparison.Ordinal)).Take(100))
        {
            output.WriteLine(line);
        }
        // The nodes keep a window of the topic; the whole of it is read back (over NATS, validated and causally ordered again),
        // so the stream is deleted only after the check.
        try
        {
            await AssertEveryEventOnceInOrderAsync(t1, t2, Total);
        }
        finally
        {
            await NatsCluster.DeleteStreamAsync(_stream);
        }
        Assert.Empty(n1.DeadLetters.Items);
        Assert.Empty(n2.DeadLetters.Items);
    }

    private static async Task AssertEveryEventOnceInOrderAsync(Topic t1, Topic t2, int total)
    {
        foreach (var followed in new[] { t1, t2 })
        {
            var history = new List<AgentEvent>();
            await foreach (var e in followed.ReadHistoryAsync())
            {
                history.Add(e);
            }
            Assert.Equal(total, followed.DeliveredCount);
            Assert.Equal(total, history.Count);                                  // nothing lost
            Assert.Equal(total, history.Select(e => e.EventId).Distinct().Count()); // nothing duplicated
            var roster = Roster.FromJoins(history);
            var next = new ulong[roster.Count];
            foreach (var e in history)
            {
                var index = roster.IndexOf(e.Actor);
                Assert.Equal(next[index] + 1, e.Clock[index]); // each sender's events complete and in order
                next[index]++;
            }
        }
    }

    /// <summary>
    /// Waits until both topics delivered their targets, on the delivery events themselves; fails when a node delivers
    /// nothing new for <see cref="NoProgress"/>.
    /// </summary>
    private async Task ProgressAsync(string what, Topic t1, long target1, Topic t2, long target2)
    {
        foreach (var (topic, target) in new[] { (t1, target1), (t2, target2) })
        {
            while (topic.DeliveredCount < target)
            {
                try
                {
                    await topic.WaitForDeliveredAsync(Math.Min(target, topic.DeliveredCount + 100)).WaitAsync(NoProgress);
                }
                catch (TimeoutException)
                {
                    Note($"{what}: no delivery for {NoProgress.TotalSeconds:F0} s on one node (stuck at {topic.DeliveredCount} of {target}); delivered {t1.DeliveredCount} / {t2.DeliveredCount}");
                    throw;
                }
            }
        }
    }

    private void Note(string line) => output.WriteLine($"{_clock.Elapsed.TotalSeconds,7:F1}s {line}");
}
