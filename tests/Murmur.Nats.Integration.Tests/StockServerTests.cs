using Murmur.Logs;

namespace Murmur.Nats.Integration.Tests;

/// <summary>The README's recipe: a stock <c>nats-server -js</c> (1 MiB max_payload) takes Murmur's defaults as they are.</summary>
public sealed class StockServerTests
{
    private static int Port => 24281 + (int.TryParse(Environment.GetEnvironmentVariable("MURMUR_TEST_PORT_OFFSET"), out var offset) ? offset : 0);

    [Fact]
    public async Task DefaultOptions_ConnectToAStockServer_AndTheLargestRecordFits()
    {
        await using var server = await SecuredNatsServer.StartStockAsync(Port);
        await using var log = await NatsEventLog.ConnectAsync(new NatsEventLogOptions { Url = $"nats://127.0.0.1:{Port}", Replicas = 1 });

        Assert.Equal(NatsEventLogOptions.DefaultMaxRecordBytes, log.MaxRecordBytes);
        var topic = new string('t', TopicName.MaxLength);
        var eventId = new string('e', LogGuard.MaxEventIdLength); // the longest Nats-Msg-Id header: <topic>/<event_id>
        var largest = new byte[log.MaxRecordBytes];
        largest.AsSpan().Fill((byte)'x');
        var position = await log.AppendAsync(topic, new LogRecord(eventId, largest));
        await foreach (var entry in log.ReadAsync(topic, position))
        {
            Assert.Equal(largest.Length, entry.Data.Length);
            break;
        }
        await Assert.ThrowsAsync<RecordTooLargeException>(async () => await log.AppendAsync(topic, new LogRecord("too-large", new byte[log.MaxRecordBytes + 1])));
    }
}
