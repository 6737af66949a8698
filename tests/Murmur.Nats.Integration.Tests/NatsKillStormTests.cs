namespace Murmur.Nats.Integration.Tests;

/// <summary>Issue 9's storm: 20 kills of a random server of the three during a 100,000-event run at R3.</summary>
public sealed class NatsKillStormTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(5);

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

    private static Task<MurmurNode> NodeAsync(string name) => MurmurNode.StartAsync(o =>
    {
        o.UseNats(new NatsEventLogOptions { Url = NatsCluster.Url, StreamName = "MURMUR_STORM", SubjectPrefix = "murmur_storm", Replicas = 3, RequestTimeout = TimeSpan.FromSeconds(10), AppendDeadline = TimeSpan.FromSeconds(60) });
        o.Options = o.Options with { NodeId = name, AppendAttempts = 20 };
    });

    [Fact]
    public async Task TwentyServerKills_During100kEventsAtR3_NothingLostNothingDuplicated()
    {
        const int PerNode = 50_000, Kills = 20;
        const int Total = 2 + (2 * PerNode);
        await using var n1 = await NodeAsync("storm1");
        await using var n2 = await NodeAsync("storm2");
        var topic = $"storm-{Guid.NewGuid():N}";
        var t1 = await n1.OpenTopicAsync(topic);
        var t2 = await n2.OpenTopicAsync(topic);
        var a = await n1.SpawnAsync("A", () => new Talker(), t1);
        var b = await n2.SpawnAsync("B", () => new Talker(), t2);
        var sendA = n1.Runtime.AskAsync<int>(a, PerNode, Patience);
        var sendB = n2.Runtime.AskAsync<int>(b, PerNode, Patience);
        var random = new Random(20);
        for (var kill = 1; kill <= Kills; kill++)
        {
            await t1.WaitForDeliveredAsync(kill * (Total / (Kills + 2))).WaitAsync(Patience);
            var victim = 1 + random.Next(3);
            NatsCluster.Kill(victim);
            try
            {
                await t1.WaitForDeliveredAsync((kill * (Total / (Kills + 2))) + 500).WaitAsync(Patience); // progress while it is down
            }
            finally
            {
                await NatsCluster.RestartAsync(victim);
            }
        }
        await Task.WhenAll(sendA, sendB).WaitAsync(Patience);
        await t1.WaitForDeliveredAsync(Total).WaitAsync(Patience);
        await t2.WaitForDeliveredAsync(Total).WaitAsync(Patience);
        foreach (var history in new[] { t1.History, t2.History })
        {
            Assert.Equal(Total, history.Count);                                  // nothing lost
            Assert.Equal(Total, history.Select(e => e.EventId).Distinct().Count()); // nothing duplicated
            var roster = Roster.FromJoins(history);
            var next = new ulong[roster.Count];
            foreach (var e in history)
            {
                var index = roster.IndexOf(e.Actor);
                Assert.Equal(next[index] + 1, e.Clock[index]); // each sender's events complete and in order
                next[index]++;
            }
        }
        Assert.Empty(n1.DeadLetters.Items);
        Assert.Empty(n2.DeadLetters.Items);
    }
}
