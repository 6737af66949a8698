using System.Text;
using Murmur.Logs;
using Xunit;

namespace Murmur.Testing;

/// <summary>
/// The contract of <see cref="IEventLog"/>, as tests. Subclass it once per transport and implement
/// <see cref="CreateLogAsync"/>; every test uses fresh topic names so a shared server is fine.
/// </summary>
public abstract partial class EventLogConformanceTests
{
    /// <summary>How long a test waits for something that should happen at once.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>Creates a log with the given record limit, connected and ready.</summary>
    protected abstract Task<IEventLog> CreateLogAsync(int maxRecordBytes = LogGuard.DefaultMaxRecordBytes);

    /// <summary>A topic name no other test uses.</summary>
    protected static string NewTopic(string hint = "t") => $"{hint}-{Guid.NewGuid():N}";

    /// <summary>A small JSON record.</summary>
    protected static LogRecord Record(string id, string? body = null)
        => new(id, Encoding.UTF8.GetBytes(body ?? $"{{\"event_id\":\"{id}\"}}"));

    /// <summary>Reads a topic to its current end.</summary>
    protected static async Task<List<LogEntry>> ReadAllAsync(IEventLog log, string topic, long from = 1)
    {
        var entries = new List<LogEntry>();
        using var cts = new CancellationTokenSource(Patience);
        await foreach (var entry in log.ReadAsync(topic, from, follow: false, cts.Token))
        {
            entries.Add(entry);
        }
        return entries;
    }

    private static string Text(LogEntry entry) => Encoding.UTF8.GetString(entry.Data.Span);

    [Fact]
    public async Task Append_ThenRead_KeepsOrderAndBytes()
    {
        await using var log = await CreateLogAsync();
        var topic = NewTopic();
        var positions = new List<long>();
        for (var i = 0; i < 50; i++)
        {
            positions.Add(await log.AppendAsync(topic, Record($"e{i}")));
        }
        Assert.Equal(positions.Order(), positions);
        Assert.Equal(positions.Count, positions.Distinct().Count());
        var read = await ReadAllAsync(log, topic);
        Assert.Equal(Enumerable.Range(0, 50).Select(i => $"e{i}"), read.Select(e => e.EventId));
        Assert.Equal(positions, read.Select(e => e.Position));
        Assert.Equal("{\"event_id\":\"e7\"}", Text(read[7]));
        Assert.Equal(positions[^1], await log.GetEndPositionAsync(topic));
    }

    [Fact]
    public async Task Topics_AreIndependent()
    {
        await using var log = await CreateLogAsync();
        var a = NewTopic("a");
        var b = NewTopic("b");
        await log.AppendAsync(a, Record("a1"));
        await log.AppendAsync(b, Record("b1"));
        await log.AppendAsync(a, Record("a2"));
        Assert.Equal(["a1", "a2"], (await ReadAllAsync(log, a)).Select(e => e.EventId));
        Assert.Equal(["b1"], (await ReadAllAsync(log, b)).Select(e => e.EventId));
    }

    [Fact]
    public async Task EmptyTopic_EndIsZero_AndReadsNothing()
    {
        await using var log = await CreateLogAsync();
        var topic = NewTopic();
        Assert.Equal(0, await log.GetEndPositionAsync(topic));
        Assert.Empty(await ReadAllAsync(log, topic));
    }

    [Fact]
    public async Task Read_FromAPosition_StartsThere()
    {
        await using var log = await CreateLogAsync();
        var topic = NewTopic();
        var positions = new List<long>();
        for (var i = 0; i < 10; i++)
        {
            positions.Add(await log.AppendAsync(topic, Record($"e{i}")));
        }
        var fromSixth = await ReadAllAsync(log, topic, positions[5]);
        Assert.Equal(Enumerable.Range(5, 5).Select(i => $"e{i}"), fromSixth.Select(e => e.EventId));
        Assert.Empty(await ReadAllAsync(log, topic, positions[^1] + 1));
    }

    [Fact]
    public async Task Follow_SeesRecordsAppendedWhileFollowing()
    {
        await using var log = await CreateLogAsync();
        var topic = NewTopic();
        await log.AppendAsync(topic, Record("before"));
        using var cts = new CancellationTokenSource(Patience);
        var seen = new List<string>();
        var follower = Task.Run(async () =>
        {
            await foreach (var entry in log.ReadAsync(topic, 1, follow: true, cts.Token))
            {
                seen.Add(entry.EventId);
                if (seen.Count == 101)
                {
                    return;
                }
            }
        });
        for (var i = 0; i < 100; i++)
        {
            await log.AppendAsync(topic, Record($"live{i}"));
        }
        await follower.WaitAsync(Patience);
        Assert.Equal(["before", .. Enumerable.Range(0, 100).Select(i => $"live{i}")], seen);
    }

    [Fact]
    public async Task Append_SameEventIdAgain_IsStoredOnce_AndReturnsTheOriginalPosition()
    {
        await using var log = await CreateLogAsync();
        var topic = NewTopic();
        var first = await log.AppendAsync(topic, Record("dup"));
        await log.AppendAsync(topic, Record("other"));
        var retry = await log.AppendAsync(topic, Record("dup"));
        var retry2 = await log.AppendAsync(topic, Record("dup"));
        Assert.Equal(first, retry);
        Assert.Equal(first, retry2);
        Assert.Equal(["dup", "other"], (await ReadAllAsync(log, topic)).Select(e => e.EventId));
    }

    [Fact]
    public async Task ConcurrentAppenders_EveryRecordOnce_PositionsStrictlyIncrease()
    {
        await using var log = await CreateLogAsync();
        var topic = NewTopic();
        const int Writers = 4, PerWriter = 100;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 0; i < PerWriter; i++)
            {
                await log.AppendAsync(topic, Record($"w{w}-{i}"));
            }
        })));
        var read = await ReadAllAsync(log, topic);
        Assert.Equal(Writers * PerWriter, read.Count);
        Assert.Equal(Writers * PerWriter, read.Select(e => e.EventId).Distinct().Count());
        for (var i = 1; i < read.Count; i++)
        {
            Assert.True(read[i].Position > read[i - 1].Position, "positions must strictly increase");
        }
        for (var w = 0; w < Writers; w++)
        {
            var mine = read.Where(e => e.EventId.StartsWith($"w{w}-", StringComparison.Ordinal)).Select(e => e.EventId);
            Assert.Equal(Enumerable.Range(0, PerWriter).Select(i => $"w{w}-{i}"), mine);
        }
    }

    [Fact]
    public async Task Batch_AppendsInOrder_AndDeduplicates()
    {
        await using var log = await CreateLogAsync();
        var topic = NewTopic();
        var positions = await log.AppendBatchAsync(topic, [.. Enumerable.Range(0, 20).Select(i => Record($"b{i}"))]);
        Assert.Equal(20, positions.Count);
        Assert.Equal(positions.Order(), positions);
        var again = await log.AppendBatchAsync(topic, [Record("b3"), Record("b20")]);
        Assert.Equal(positions[3], again[0]);
        Assert.True(again[1] > positions[^1]);
        Assert.Equal(21, (await ReadAllAsync(log, topic)).Count);
    }

    [Fact]
    public async Task PayloadLimit_LimitMinusOneAndLimitPass_LimitPlusOneIsRefused()
    {
        const int Limit = 4096;
        await using var log = await CreateLogAsync(Limit);
        var topic = NewTopic();
        static LogRecord OfSize(string id, int size) => new(id, Enumerable.Repeat((byte)'x', size).ToArray());
        await log.AppendAsync(topic, OfSize("under", Limit - 1));
        await log.AppendAsync(topic, OfSize("exact", Limit));
        var error = await Assert.ThrowsAsync<RecordTooLargeException>(async () => await log.AppendAsync(topic, OfSize("over", Limit + 1)));
        Assert.Contains($"at most {Limit} bytes", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RecordTooLargeException>(async () => await log.AppendBatchAsync(topic, [OfSize("ok", 1), OfSize("over2", Limit + 1)]));
        var read = await ReadAllAsync(log, topic);
        Assert.Equal(["under", "exact"], read.Select(e => e.EventId));
        Assert.Equal(Limit, read[1].Data.Length);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("star*")]
    [InlineData("greater>")]
    [InlineData(".leading")]
    [InlineData("trailing.")]
    [InlineData("double..dot")]
    [InlineData("slash/name")]
    [InlineData("nul\0byte")]
    [InlineData("ünïcode")]
    public async Task InvalidTopicName_IsRefusedWithTheReason(string name)
    {
        await using var log = await CreateLogAsync();
        var error = await Assert.ThrowsAsync<InvalidTopicNameException>(async () => await log.AppendAsync(name, Record("x")));
        Assert.Contains("Invalid topic name", error.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<InvalidTopicNameException>(async () => await log.GetEndPositionAsync(name));
        await Assert.ThrowsAsync<InvalidTopicNameException>(async () =>
        {
            await foreach (var _ in log.ReadAsync(name))
            {
            }
        });
    }

    [Fact]
    public async Task TooLongTopicName_IsRefused()
    {
        await using var log = await CreateLogAsync();
        await Assert.ThrowsAsync<InvalidTopicNameException>(async () => await log.AppendAsync(new string('a', TopicName.MaxLength + 1), Record("x")));
        await log.AppendAsync(new string('a', TopicName.MaxLength - 33) + "-" + Guid.NewGuid().ToString("N"), Record("x"));
    }

    [Fact]
    public async Task Dispose_WhileFollowing_EndsTheFollowerPromptly()
    {
        var log = await CreateLogAsync();
        var topic = NewTopic();
        await log.AppendAsync(topic, Record("one"));
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var follower = Task.Run(async () =>
        {
            await foreach (var _ in log.ReadAsync(topic, 1, follow: true))
            {
                firstSeen.TrySetResult();
            }
        });
        await firstSeen.Task.WaitAsync(Patience);
        await log.DisposeAsync();
        var ended = await Xunit.Record.ExceptionAsync(() => follower.WaitAsync(Patience));
        Assert.True(ended is null or ObjectDisposedException or OperationCanceledException or EventLogException,
            $"a follower of a disposed log ends or throws a log error, not {ended}");
    }

    [Fact]
    public async Task Cancel_WhileFollowing_EndsWithOperationCanceled()
    {
        await using var log = await CreateLogAsync();
        var topic = NewTopic();
        await log.AppendAsync(topic, Record("one"));
        using var cts = new CancellationTokenSource();
        var firstSeen = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var follower = Task.Run(async () =>
        {
            await foreach (var _ in log.ReadAsync(topic, 1, follow: true, cts.Token))
            {
                firstSeen.TrySetResult();
            }
        });
        await firstSeen.Task.WaitAsync(Patience);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => follower.WaitAsync(Patience));
    }
}
