using System.Diagnostics;
using Murmur.Events;
using Murmur.Logs;
using Xunit.Abstractions;

namespace Murmur.Tests.Reliability;

public sealed class FuzzTests(ITestOutputHelper output)
{
    private static int FuzzCount => int.TryParse(Environment.GetEnvironmentVariable("MURMUR_FUZZ_COUNT"), out var n) && n > 0 ? n : 1_000_000;

    [Fact]
    public void Decoder_NeverThrows_AndEveryRefusalHasAReason()
    {
        var clock = Stopwatch.StartNew();
        var input = new HostileInput(20261128);
        int valid = 0, refused = 0;
        var kinds = new Dictionary<EventErrorKind, int>();
        for (var i = 0; i < FuzzCount; i++)
        {
            var bytes = input.Next();
            bool ok;
            AgentEvent? e;
            EventError? error;
            try
            {
                ok = AgentEventCodec.TryDecode(bytes, null, null, out e, out error);
            }
            catch (Exception ex)
            {
                Assert.Fail($"input {i} threw {ex.GetType().Name}: {ex.Message}\n{Convert.ToBase64String(bytes)}");
                return;
            }
            if (ok)
            {
                valid++;
                // A decoded event re-encodes and decodes to itself.
                Assert.Equal(e, AgentEventCodec.Decode(AgentEventCodec.Encode(e!)));
            }
            else
            {
                refused++;
                Assert.False(string.IsNullOrWhiteSpace(error!.Reason), $"input {i}: empty reason for {error.Kind}");
                Assert.False(string.IsNullOrWhiteSpace(error.ToString()));
                kinds[error.Kind] = kinds.GetValueOrDefault(error.Kind) + 1;
            }
        }
        output.WriteLine($"{FuzzCount} inputs in {clock.Elapsed.TotalSeconds:F1} s: {valid} valid, {refused} refused; " +
            string.Join(", ", kinds.OrderByDescending(k => k.Value).Select(k => $"{k.Key} {k.Value}")));
        Assert.True(refused > FuzzCount / 2);
    }

    [Fact]
    public async Task HostileLinesInAFollowedTopic_AreDeadLettersWithReasons_AndTheTopicKeepsDelivering()
    {
        var log = new InMemoryEventLog();
        await using var node = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(log); o.Options = o.Options with { NodeId = "n" }; });
        var topic = await node.OpenTopicAsync("hostile");
        var seen = new Topics.Seen();
        var a = await node.SpawnAsync("A", () => new Topics.Crashy(seen), topic);
        var input = new HostileInput(7);
        var refused = new List<long>();
        for (var i = 0; refused.Count < 3000; i++)
        {
            var bytes = input.Next();
            if (bytes.Length == 0 || AgentEventCodec.TryDecode(bytes, null, null, out _, out _))
            {
                continue; // only inputs the decoder refuses, so every one must become a dead letter
            }
            refused.Add(await log.AppendAsync("hostile", new LogRecord($"bad{i}", bytes)));
        }
        var good = await node.Runtime.AskAsync<AgentEvent>(a, "after-the-storm");
        await topic.WaitForEventAsync(e => e.EventId == good.EventId).WaitAsync(TimeSpan.FromSeconds(30));
        await topic.CatchUpAsync();
        Assert.Equal(refused.Count, node.DeadLetters.Count);
        var letters = node.DeadLetters.Items;
        Assert.Equal(refused, letters.Select(d => d.Position));
        Assert.All(letters, d => Assert.False(string.IsNullOrWhiteSpace(d.Reason)));
        Assert.Equal(["JOIN", "after-the-storm"], topic.History.Select(e => e.Action));
        await seen.WaitForAsync(good.EventId);
        output.WriteLine($"{refused.Count} hostile records, {letters.Count} dead letters, e.g. {letters[0].Reason}");
    }
}
