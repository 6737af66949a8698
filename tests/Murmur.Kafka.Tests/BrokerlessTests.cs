using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Murmur.Logs;

namespace Murmur.Kafka.Tests;

/// <summary>What the log does when no broker answers: fail clearly, within the timeout, and never swallow an append.</summary>
public sealed class BrokerlessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(1);

    /// <summary>A loopback address on which nothing listens.</summary>
    private static string ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return $"127.0.0.1:{port}";
    }

    private static KafkaEventLogOptions NoBroker() => new() { BootstrapServers = ClosedPort(), RequestTimeout = Timeout, ReadDeadline = Timeout * 2, MaxRecordBytes = 1024 };

    private static LogRecord Record(string id, int size = 8) => new(id, new byte[size]);

    [Fact]
    public async Task Connect_ToAClosedPort_FailsWithAClearErrorWithinTheTimeout()
    {
        var options = NoBroker();
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<EventLogException>(() => KafkaEventLog.ConnectAsync(options));
        Assert.True(clock.Elapsed < Timeout * 10, $"took {clock.Elapsed}");
        Assert.StartsWith($"Cannot open the Kafka event log at {options.BootstrapServers} (topic murmur-events): ", error.Message, StringComparison.Ordinal);
        Assert.True(
            error.Message.Contains("cannot be reached", StringComparison.Ordinal) || error.Message.Contains("no answer within RequestTimeout", StringComparison.Ordinal),
            error.Message);
    }

    [Fact]
    public async Task StartingANode_OnAnUnreachableKafka_FailsWithTheLogError()
    {
        var options = NoBroker();
        var error = await Assert.ThrowsAsync<EventLogException>(() => MurmurNode.StartAsync(b => b.UseKafka(options)));
        Assert.Contains(options.BootstrapServers, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connect_Cancelled_ThrowsOperationCanceled()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => KafkaEventLog.ConnectAsync(NoBroker() with { RequestTimeout = TimeSpan.FromSeconds(30) }, cts.Token));
    }

    [Fact]
    public async Task Append_WithNoBroker_ThrowsEventLogException_AndARetryProducesAgain()
    {
        await using var log = KafkaEventLog.CreateUnchecked(NoBroker(), partitionCount: 3);
        Assert.Equal("kafka", log.Name);
        Assert.Equal(1024, log.MaxRecordBytes);
        var clock = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<EventLogException>(async () => await log.AppendAsync("t1", Record("e1")));
        Assert.True(clock.Elapsed < Timeout * 10, $"took {clock.Elapsed}");
        Assert.StartsWith("Appending event 'e1' to topic 't1' on Kafka failed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains("may or may not be stored", error.Message, StringComparison.Ordinal);
        Assert.True(error.IsTransient);
        Assert.True(error.OutcomeUnknown);
        // The failed attempt is forgotten: the retry is produced (and fails) again rather than returning a stale result.
        await Assert.ThrowsAsync<EventLogException>(async () => await log.AppendAsync("t1", Record("e1")));
    }

    [Fact]
    public async Task AppendBatch_WithNoBroker_FailsEveryRecordToTheCaller()
    {
        await using var log = KafkaEventLog.CreateUnchecked(NoBroker(), partitionCount: 1);
        await Assert.ThrowsAsync<EventLogException>(async () => await log.AppendBatchAsync("t1", [Record("a"), Record("b")]));
    }

    [Fact]
    public async Task Guards_RunBeforeTheNetwork()
    {
        await using var log = KafkaEventLog.CreateUnchecked(NoBroker(), partitionCount: 1);
        await Assert.ThrowsAsync<InvalidTopicNameException>(async () => await log.AppendAsync("bad name", Record("e")));
        var tooLarge = await Assert.ThrowsAsync<RecordTooLargeException>(async () => await log.AppendAsync("t", Record("big", 1025)));
        Assert.Contains("at most 1024 bytes", tooLarge.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<RecordTooLargeException>(async () => await log.AppendBatchAsync("t", [Record("ok"), Record("big", 1025)]));
        await Assert.ThrowsAsync<InvalidTopicNameException>(async () => await log.GetEndPositionAsync("a..b"));
        await Assert.ThrowsAsync<InvalidTopicNameException>(async () =>
        {
            await foreach (var _ in log.ReadAsync("star*"))
            {
            }
        });
        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () =>
        {
            await foreach (var _ in log.ReadAsync("t", fromPosition: 0))
            {
            }
        });
    }

    [Fact]
    public async Task ReadAndEnd_WithNoBroker_ThrowEventLogException()
    {
        await using var log = KafkaEventLog.CreateUnchecked(NoBroker(), partitionCount: 1);
        var read = await Assert.ThrowsAsync<EventLogException>(async () =>
        {
            await foreach (var _ in log.ReadAsync("t1"))
            {
            }
        });
        Assert.StartsWith("Reading topic 't1' on Kafka failed: ", read.Message, StringComparison.Ordinal);
        Assert.True(read.IsTransient, "an unreachable broker may come back: the caller may retry");
        Assert.False(read.IsConfigurationError);
        var end = await Assert.ThrowsAsync<EventLogException>(async () => await log.GetEndPositionAsync("t1"));
        Assert.StartsWith("Reading topic 't1' on Kafka failed: ", end.Message, StringComparison.Ordinal);
        Assert.True(end.IsTransient);
    }

    [Fact]
    public async Task PartitionOf_UsesTheKafkaTopic_AndTheStableFunction()
    {
        await using var log = KafkaEventLog.CreateUnchecked(NoBroker() with { KafkaTopic = "events" }, partitionCount: 12);
        var partition = log.PartitionOf("orders");
        Assert.Equal("events", partition.Topic);
        Assert.Equal(8, partition.Partition.Value);
        Assert.Equal(12, log.PartitionCount);
    }

    [Fact]
    public async Task Connect_LogsLibrdkafkasLinesThroughTheLogger_NotToStderr()
    {
        var logs = new ListLoggerFactory();
        var error = await Assert.ThrowsAsync<EventLogException>(() => KafkaEventLog.ConnectAsync(NoBroker() with { LoggerFactory = logs }));
        Assert.True(error.IsTransient);
        Assert.Contains(logs.Lines, l => l.Category == "Murmur.Kafka" && l.Text.StartsWith("librdkafka ", StringComparison.Ordinal));
        Assert.DoesNotContain(logs.Lines, l => l.Level > Microsoft.Extensions.Logging.LogLevel.Information);
    }

    [Fact]
    public async Task Disposed_RefusesCalls()
    {
        var log = KafkaEventLog.CreateUnchecked(NoBroker(), partitionCount: 1);
        await log.DisposeAsync();
        await log.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.AppendAsync("t", Record("e")));
        await Assert.ThrowsAsync<ObjectDisposedException>(async () => await log.GetEndPositionAsync("t"));
    }
}
