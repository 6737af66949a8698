using Murmur.Agents;
using Murmur.Cli.Commands;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Cli.Tests.Protocol;

/// <summary><c>murmur causal</c> reads Murmur's own logs: <c>murmur log tail</c> output (JOINs with empty clocks) and the demo's files.</summary>
public sealed class CausalOnOwnLogsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("murmur-causal-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Talker : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            if (message is string text)
            {
                Context.Reply(await Topics[0].PublishAsync(Actions.Message, new { text }, cancellationToken: cancellationToken));
            }
        }
    }

    [Fact]
    public async Task LogTailOutput_IsDeliveredWhole()
    {
        var log = new InMemoryEventLog();
        await using (var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log)))
        {
            var topic = await node.OpenTopicAsync("tail");
            var a = await node.SpawnAsync("A", () => new Talker(), topic);
            var b = await node.SpawnAsync("B", () => new Talker(), topic);
            await node.Runtime.AskAsync<AgentEvent>(a, "one");
            await node.Runtime.AskAsync<AgentEvent>(b, "two");
            await node.Runtime.AskAsync<AgentEvent>(a, "three");
        }
        // What `murmur log tail --no-follow` prints: each record decoded and written back, JOINs as appended (clock []).
        var lines = new List<string>();
        await foreach (var entry in log.ReadAsync("tail"))
        {
            lines.Add(AgentEventCodec.Decode(entry.Data.Span).ToString());
        }
        Assert.Contains(lines, l => l.Contains("\"action\":\"JOIN\"", StringComparison.Ordinal) && l.Contains("\"vector_clock\":[]", StringComparison.Ordinal));
        var file = Path.Combine(_dir, "tail.jsonl");
        await File.WriteAllLinesAsync(file, lines);

        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = CommandLine.Run(["causal", file], stdout, stderr);

        Assert.True(code == 0, stderr.ToString());
        var report = System.Text.Json.JsonDocument.Parse(stdout.ToString()).RootElement;
        Assert.Equal(lines.Count, report.GetProperty("delivered").GetArrayLength());
        Assert.Equal(0, report.GetProperty("rejected").GetArrayLength());
    }

    [Fact]
    public void TheDemosEventFiles_AreDeliveredWhole()
    {
        var root = DemoCommandTests.ExampleTree();
        Assert.Equal(0, CommandLine.Run(["demo", "--root", root, "--out", _dir, "--think-ms", "1", "--quiet"], new StringWriter(), new StringWriter()));

        foreach (var name in new[] { "eventual.jsonl", "strict.jsonl" })
        {
            var stderr = new StringWriter();
            var code = CommandLine.Run(["causal", Path.Combine(_dir, name)], new StringWriter(), stderr);
            Assert.True(code == 0, $"{name}: {stderr}");
        }
    }
}
