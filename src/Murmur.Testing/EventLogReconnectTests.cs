using System.Text;
using Murmur.Logs;
using Xunit;

namespace Murmur.Testing;

/// <summary>
/// For networked logs: a follower keeps every record exactly once, in order, across a transport interruption
/// (e.g. the server it is connected to dies and comes back).
/// </summary>
public abstract class EventLogReconnectTests
{
    /// <summary>How long a test waits for something that should happen soon.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    /// <summary>Creates a connected log.</summary>
    protected abstract Task<IEventLog> CreateLogAsync();

    /// <summary>Breaks the transport under <paramref name="follower"/> (kills the server it uses).</summary>
    protected abstract Task InterruptAsync(IEventLog follower);

    /// <summary>Undoes <see cref="InterruptAsync"/> (restarts what was killed).</summary>
    protected abstract Task RestoreAsync();

    [Fact]
    public async Task Follower_AcrossAnInterruption_SeesEveryRecordOnceInOrder()
    {
        await using var reader = await CreateLogAsync();
        await using var writer = await CreateLogAsync();
        var topic = $"reconnect-{Guid.NewGuid():N}";
        const int Before = 200, After = 200;
        using var cts = new CancellationTokenSource(Patience * 2);
        var seen = new List<LogEntry>();
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var follower = Task.Run(async () =>
        {
            await foreach (var entry in reader.ReadAsync(topic, 1, follow: true, cts.Token))
            {
                seen.Add(entry);
                if (seen.Count == Before)
                {
                    halfway.TrySetResult();
                }
                if (seen.Count == Before + After)
                {
                    return;
                }
            }
        });
        for (var i = 0; i < Before; i++)
        {
            await writer.AppendAsync(topic, Record(i), cts.Token);
        }
        await halfway.Task.WaitAsync(Patience);
        await InterruptAsync(reader);
        try
        {
            for (var i = Before; i < Before + After; i++)
            {
                await AppendWithRetryAsync(writer, topic, Record(i), cts.Token);
            }
            await follower.WaitAsync(Patience);
        }
        finally
        {
            await RestoreAsync();
        }
        Assert.Equal(Enumerable.Range(0, Before + After).Select(i => $"e{i}"), seen.Select(e => e.EventId));
        for (var i = 1; i < seen.Count; i++)
        {
            Assert.True(seen[i].Position > seen[i - 1].Position);
        }
    }

    /// <summary>Retries with the same event id, as a real publisher would; the log keeps one copy.</summary>
    protected static async Task AppendWithRetryAsync(IEventLog log, string topic, LogRecord record, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                await log.AppendAsync(topic, record, cancellationToken);
                return;
            }
            catch (EventLogException) when (attempt < 20)
            {
            }
        }
    }

    private static LogRecord Record(int i) => new($"e{i}", Encoding.UTF8.GetBytes($"{{\"n\":{i}}}"));
}
