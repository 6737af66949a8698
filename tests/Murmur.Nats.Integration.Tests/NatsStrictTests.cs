using Murmur.Testing;
using Murmur.Topics;

namespace Murmur.Nats.Integration.Tests;

/// <summary>Strict rounds across two nodes over the real cluster: identical views per round, from the log alone.</summary>
public sealed class NatsStrictTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);

    private static Task<MurmurNode> NodeAsync(string name) => MurmurNode.StartAsync(o =>
    {
        o.UseNats(new NatsEventLogOptions { Url = NatsCluster.Url, StreamName = "MURMUR_STRICT", SubjectPrefix = "murmur_strict", Replicas = 3, RequestTimeout = TimeSpan.FromSeconds(10) });
        o.Options = o.Options with { NodeId = name, AppendAttempts = 10 };
    });

    [Fact]
    public async Task SeededSchedules_TwoNodesOverNats_EveryMemberSeesTheSameViewOfEachRound()
    {
        const int Rounds = 3;
        for (var seed = 0; seed < 4; seed++)
        {
            var recorder = new RoundRecorder();
            await using var n1 = await NodeAsync("n1");
            await using var n2 = await NodeAsync("n2");
            var topic = $"strict-{Guid.NewGuid():N}";
            var members = 2 + (seed % 2);
            var options = new TopicOptions { MinMembers = members };
            var t1 = await n1.OpenTopicAsync(topic, Consistency.Strict, options);
            var t2 = await n2.OpenTopicAsync(topic, Consistency.Strict, options);
            for (var m = 0; m < members; m++)
            {
                await (m % 2 == 0 ? n1 : n2).SpawnAsync($"M{m}", () => new RoundWorker(recorder, seed, Rounds), m % 2 == 0 ? t1 : t2);
            }
            await t1.WaitForRoundAsync(Rounds + 1).WaitAsync(Patience);
            await t2.WaitForRoundAsync(Rounds + 1).WaitAsync(Patience);
            recorder.AssertIdenticalViews(t1, Rounds);
            Assert.Equal(t1.ClosePositions.Take(Rounds + 1), t2.ClosePositions.Take(Rounds + 1));
            var prefix = (int)t1.ClosePositions[Rounds];
            Assert.Equal(t1.History.Take(prefix).Select(e => e.EventId), t2.History.Take(prefix).Select(e => e.EventId));
        }
    }
}
