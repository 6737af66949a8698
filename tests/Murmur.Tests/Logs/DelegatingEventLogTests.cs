using System.Text;
using Murmur.Logs;

namespace Murmur.Tests.Log;

public sealed class DelegatingEventLogTests
{
    /// <summary>Overrides nothing: every call must reach the inner log.</summary>
    private sealed class PassThrough(IEventLog inner) : DelegatingEventLog(inner);

    /// <summary>Overrides one member, as a decorator does.</summary>
    private sealed class Renamed(IEventLog inner) : DelegatingEventLog(inner)
    {
        public override string Name => "renamed";
    }

    private static LogRecord Record(string id) => new(id, Encoding.UTF8.GetBytes($"{{\"event_id\":\"{id}\"}}"));

    [Fact]
    public async Task EveryMember_ReachesTheInnerLog_TheFirehoseIncluded()
    {
        var inner = new InMemoryEventLog(maxRecordBytes: 4096);
        IEventLog log = new PassThrough(inner);
        Assert.Equal("memory", log.Name);
        Assert.Equal(4096, log.MaxRecordBytes);
        await using var firehose = await log.OpenFirehoseAsync();
        Assert.NotNull(firehose);
        Assert.Equal(1, await log.AppendAsync("t", Record("a")));
        Assert.Equal([2, 3], await log.AppendBatchAsync("t", [Record("b"), Record("c")]));
        Assert.Equal(3, await inner.GetEndPositionAsync("t"));
        Assert.Equal(3, await log.GetEndPositionAsync("t"));
        var read = new List<string>();
        await foreach (var entry in log.ReadAsync("t", 2))
        {
            read.Add(entry.EventId);
        }
        Assert.Equal(["b", "c"], read);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var live = new List<string>();
        await foreach (var item in firehose!.ReadAsync(cts.Token))
        {
            live.Add(item.Entry.EventId);
            if (live.Count == 3)
            {
                break;
            }
        }
        Assert.Equal(["a", "b", "c"], live);
        Assert.Equal("renamed", new Renamed(inner).Name);
    }

    [Fact]
    public async Task Dispose_DisposesTheInnerLog()
    {
        var inner = new InMemoryEventLog();
        await new PassThrough(inner).DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await inner.AppendAsync("t", Record("a")));
    }

    [Fact]
    public void CheckBatch_ChecksTheTopicThenEveryRecord_BeforeAnyIsAppended()
    {
        Assert.Throws<ArgumentNullException>(() => LogGuard.CheckBatch("t", null!, 10));
        Assert.Throws<InvalidTopicNameException>(() => LogGuard.CheckBatch("bad name", [Record("a")], 100));
        var tooLarge = Assert.Throws<RecordTooLargeException>(() => LogGuard.CheckBatch("t", [Record("a"), new LogRecord("big", new byte[21])], 20));
        Assert.Equal((21, 20), (tooLarge.Size, tooLarge.Limit));
        Assert.Throws<ArgumentException>(() => LogGuard.CheckBatch("t", [Record("a"), new LogRecord("", new byte[1])], 20));
        LogGuard.CheckBatch("t", [Record("a")], 20);
        LogGuard.CheckBatch("t", [], 20);
    }
}
