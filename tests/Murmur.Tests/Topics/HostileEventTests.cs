using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Tests.Topics;

/// <summary>Events that can never be delivered are refused or given up, listed as dead letters and reported to the sender.</summary>
public sealed class HostileEventTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Task<MurmurNode> NodeAsync(InMemoryEventLog log, TimeProvider time) => MurmurNode.StartAsync(o =>
    {
        o.UseInMemoryLog(log);
        o.Options = o.Options with { NodeId = "n1", Runtime = o.Options.Runtime with { TimeProvider = time } };
    });

    private static ValueTask<long> AppendAsync(InMemoryEventLog log, string topic, string id, string actor, string action, params ulong[] clock)
        => log.AppendAsync(topic, new LogRecord(id, Encoding.UTF8.GetBytes(
            $"{{\"event_id\":\"{id}\",\"actor\":\"{actor}\",\"action\":\"{action}\",\"payload\":{{}},\"vector_clock\":[{string.Join(',', clock)}]}}")));

    private static async Task<List<JsonElement>> ReadFeedbackAsync(InMemoryEventLog log, string topic, int count)
    {
        var reports = new List<JsonElement>();
        using var cts = new CancellationTokenSource(Patience);
        await foreach (var entry in log.ReadAsync("murmur.deadletters." + topic, 1, follow: true, cts.Token))
        {
            var report = AgentEventCodec.Decode(entry.Data.Span);
            Assert.Equal("DEAD_LETTER", report.Action);
            reports.Add(report.GetPayload().Clone());
            if (reports.Count == count)
            {
                break;
            }
        }
        return reports;
    }

    [Fact]
    public async Task EventsThatCanNeverBeDelivered_AreDeadLettered_NamingTheMissingDependency_AndReportedToTheSender()
    {
        var time = new FakeTimeProvider();
        var log = new InMemoryEventLog();
        await using var node = await NodeAsync(log, time);
        var topic = await node.OpenTopicAsync("hostile");
        var local = await node.SpawnAsync("Local", () => new Crashy(new Seen()), topic);
        await node.Runtime.AskAsync<AgentEvent>(local, "hello");    // Local: JOIN = entry 1, hello = entry 2

        await AppendAsync(log, "hostile", "s-join", "S", Actions.Join);           // index 1
        await AppendAsync(log, "hostile", "t-join", "T", Actions.Join);           // index 2
        var zeros = new ulong[1003];
        zeros[2] = 2;
        await AppendAsync(log, "hostile", "zeros", "T", "M", zeros);              // 1,000 trailing zeros: refused
        await AppendAsync(log, "hostile", "jump", "S", "M", 0, 101);              // own entry jumps by 100: refused
        await AppendAsync(log, "hostile", "other", "S", "M", 52, 2);              // Local's entry by 50: held, then given up
        await AppendAsync(log, "hostile", "after", "S", "M", 52, 3);              // behind the one above
        await AppendAsync(log, "hostile", "tail", "T", "M", 0, 0, 2, 0, 1);       // needs a member at index 4 that never joined
        await AppendAsync(log, "hostile", "ghost", "Ghost", "M", 1);              // an actor that never joined
        await log.AppendAsync("hostile", new LogRecord("header-id", Encoding.UTF8.GetBytes("{\"event_id\":\"from-bytes\",\"actor\":5}")));
        await topic.CatchUpAsync().WaitAsync(Patience);

        var dead = node.DeadLetters.Items.ToDictionary(d => d.EventId ?? "", d => d.Reason);
        Assert.Contains("NotCanonical", dead["zeros"], StringComparison.Ordinal);
        Assert.Contains("'S' entry 101 is 100 past its delivered entry 1", dead["jump"], StringComparison.Ordinal);
        Assert.True(dead.ContainsKey("from-bytes"), "the dead letter names the id in the bytes, not the transport's");
        Assert.Equal(4, topic.Buffer.Held);

        time.Advance(TimeSpan.FromSeconds(31)); // past the grace period: the node gives up what still waits
        dead = node.DeadLetters.Items.ToDictionary(d => d.EventId ?? "", d => d.Reason);
        Assert.Contains("Undeliverable: waits for event 3 of 'Local' (needs 52, delivered up to 2)", dead["other"], StringComparison.Ordinal);
        Assert.Contains("Undeliverable: waits for event 2 of 'S'", dead["after"], StringComparison.Ordinal);
        Assert.Contains("roster index 4 (no member has joined there)", dead["tail"], StringComparison.Ordinal);
        Assert.Contains("'Ghost' is not a roster member", dead["ghost"], StringComparison.Ordinal);
        Assert.Equal(0, topic.Buffer.Held);

        // The sender can read why: one DEAD_LETTER record per refusal in murmur.deadletters.hostile.
        var reports = await ReadFeedbackAsync(log, "hostile", 7);
        var reported = reports.Select(r => r.GetProperty("event_id").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "zeros", "jump", "other", "after", "tail", "ghost", "from-bytes" }, reported);
        Assert.All(reports, r => Assert.False(string.IsNullOrEmpty(r.GetProperty("reason").GetString())));

        // The node is fine and no clock grows past the roster.
        var next = await node.Runtime.AskAsync<AgentEvent>(local, "after-hostility");
        Assert.True(next.Clock.Length <= topic.Roster.Count, $"clock {next.Clock} is longer than the roster {topic.Roster}");
        Assert.Equal(["Local", "S", "T"], topic.Roster.Members);
    }

    [Fact]
    public async Task Feedback_IsRateLimitedPerMinute_AndSaysHowManyWereLeftOut()
    {
        var time = new FakeTimeProvider();
        var log = new InMemoryEventLog();
        await using var node = await MurmurNode.StartAsync(o =>
        {
            o.UseInMemoryLog(log);
            o.Options = o.Options with { DeadLetterFeedbackPerMinute = 2, Runtime = o.Options.Runtime with { TimeProvider = time } };
        });
        var topic = await node.OpenTopicAsync("flood");
        for (var i = 0; i < 5; i++)
        {
            await log.AppendAsync("flood", new LogRecord($"bad{i}", "not json"u8.ToArray()));
        }
        await topic.CatchUpAsync().WaitAsync(Patience);
        Assert.Equal(5, node.DeadLetters.Count);

        time.Advance(TimeSpan.FromMinutes(1));
        await log.AppendAsync("flood", new LogRecord("bad5", "not json"u8.ToArray()));
        await topic.CatchUpAsync().WaitAsync(Patience);

        var reports = await ReadFeedbackAsync(log, "flood", 3);
        Assert.Equal([0, 0, 3], reports.Select(r => r.GetProperty("suppressed").GetInt32()).Order());
        Assert.Equal(6, reports.Single(r => r.GetProperty("suppressed").GetInt32() == 3).GetProperty("position").GetInt64());
    }
}
