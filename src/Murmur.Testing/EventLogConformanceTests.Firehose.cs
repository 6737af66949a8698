using Murmur.Logs;
using Xunit;

namespace Murmur.Testing;

/// <summary>The firehose part of the contract (<see cref="ILogFirehose"/>), for logs that offer one.</summary>
public abstract partial class EventLogConformanceTests
{
    /// <summary>True when the transport under test must offer a firehose (a log that has none skips nothing: it fails).</summary>
    protected virtual bool HasFirehose => true;

    [Fact]
    public async Task Firehose_YieldsEveryRecordAppendedAfterItOpened_EachTopicInPositionOrder()
    {
        await using var log = await CreateLogAsync();
        var topics = new[] { NewTopic("fa"), NewTopic("fb"), NewTopic("fc") };
        await log.AppendAsync(topics[0], Record("before"));
        await using var firehose = await log.OpenFirehoseAsync();
        if (!HasFirehose)
        {
            Assert.Null(firehose);
            return;
        }
        Assert.NotNull(firehose);
        var appended = new Dictionary<string, List<long>>(StringComparer.Ordinal);
        foreach (var topic in topics)
        {
            appended[topic] = [];
        }
        for (var i = 0; i < 30; i++)
        {
            var topic = topics[i % topics.Length];
            appended[topic].Add(await log.AppendAsync(topic, Record($"r{i}")));
        }
        var seen = topics.ToDictionary(t => t, _ => new List<LogEntry>(), StringComparer.Ordinal);
        using var cts = new CancellationTokenSource(Patience);
        await foreach (var item in firehose!.ReadAsync(cts.Token))
        {
            if (seen.TryGetValue(item.Topic, out var list) && (list.Count == 0 || list[^1].Position < item.Entry.Position))
            {
                list.Add(item.Entry);
            }
            if (topics.All(t => seen[t].Count >= appended[t].Count))
            {
                break;
            }
        }
        foreach (var topic in topics)
        {
            var fromRead = await ReadAllAsync(log, topic);
            var expected = fromRead.Where(e => appended[topic].Contains(e.Position)).ToList();
            Assert.Equal(expected.Select(e => (e.Position, e.EventId)), seen[topic].Where(e => appended[topic].Contains(e.Position)).Select(e => (e.Position, e.EventId)));
            Assert.Equal(seen[topic].Select(e => e.Position).Order(), seen[topic].Select(e => e.Position));
        }
    }

    [Fact]
    public async Task Firehose_Dispose_WhileReading_EndsTheReader()
    {
        await using var log = await CreateLogAsync();
        var firehose = await log.OpenFirehoseAsync();
        if (firehose is null)
        {
            Assert.False(HasFirehose);
            return;
        }
        using var cts = new CancellationTokenSource();
        var reading = Task.Run(async () =>
        {
            await foreach (var _ in firehose.ReadAsync(cts.Token))
            {
            }
        });
        await cts.CancelAsync();
        await firehose.DisposeAsync();
        var ended = await Xunit.Record.ExceptionAsync(() => reading.WaitAsync(Patience));
        Assert.True(ended is null or OperationCanceledException or ObjectDisposedException, $"the reader ended with {ended}");
    }
}
