using System.Text;
using Murmur.Logs;
using NATS.Client.Core;
using NATS.Client.JetStream;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// A second copy of an event the servers stored (nats-server 2.9 did, for a retried append, when the whole cluster
/// restarted under it: NatsClusterRestartTests once read 1,002 records for 1,000 appends) is skipped by a read.
/// </summary>
public sealed class NatsDuplicateReadTests
{
    [Fact]
    public async Task ASecondCopyOfAnEvent_CloseToTheFirst_IsNotReadTwice_AndOtherRecordsAreAllRead()
    {
        var stream = $"DUPREAD{Guid.NewGuid():N}"[..15].ToUpperInvariant();
        try
        {
            await using var log = await NatsEventLog.ConnectAsync(NatsCluster.Options(stream, replicas: 1));
            var first = await log.AppendAsync("work", new LogRecord("evt-1", Encoding.UTF8.GetBytes("one")));
            // What a server that failed to de-duplicate a retry holds: the same event again under a message id JetStream
            // does not recognise (the bare event id), so it is stored a second time.
            await using (var connection = new NatsConnection(NatsOpts.Default with { Url = NatsCluster.Url }))
            {
                var ack = await new NatsJSContext(connection).PublishAsync(log.SubjectOf("work"), Encoding.UTF8.GetBytes("one"), headers: new NatsHeaders { ["Nats-Msg-Id"] = "evt-1" });
                ack.EnsureSuccess();
            }
            var third = await log.AppendAsync("work", new LogRecord("evt-2", Encoding.UTF8.GetBytes("two")));

            var read = new List<LogEntry>();
            await foreach (var entry in log.ReadAsync("work"))
            {
                read.Add(entry);
            }
            var followed = new List<LogEntry>();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await foreach (var entry in log.ReadAsync("work", follow: true, cancellationToken: cts.Token))
            {
                followed.Add(entry);
                if (entry.EventId == "evt-2")
                {
                    break;
                }
            }

            Assert.Equal(["evt-1", "evt-2"], read.Select(e => e.EventId));
            Assert.Equal([first, third], read.Select(e => e.Position));
            Assert.Equal(first + 2, third); // the second copy is in the stream between them, and is not read
            Assert.Equal(["evt-1", "evt-2"], followed.Select(e => e.EventId));
        }
        finally
        {
            await NatsCluster.DeleteStreamAsync(stream);
        }
    }
}
