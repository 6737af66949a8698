using System.Diagnostics;
using System.Text;
using Murmur.Logs;
using Xunit.Abstractions;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// Issue 9: the whole cluster goes down while appends are in flight and comes back; every acknowledged append is
/// still in the log, exactly once, in per-topic order, at the position its acknowledgement named.
/// </summary>
/// <remarks>
/// Debian's nats-server 2.9.10 has no <c>sync_interval: always</c>, so these runs show what survives a process
/// stop or kill with the operating system still up (the page cache holds what the servers wrote), not power loss.
/// </remarks>
public sealed class NatsClusterRestartTests(ITestOutputHelper output)
{
    private const int Topics = 5, PerTopic = 1_000, Total = Topics * PerTopic;
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(3);

    [Fact]
    public Task WholeClusterStoppedWithSigterm_DuringAppends_EveryAcknowledgedEventReadableOnceInOrder()
        => RunAsync(kill: false, "MURMUR_RESTART_TERM");

    [Fact]
    public Task WholeClusterKilledWithSigkill_DuringAppends_EveryAcknowledgedEventReadableOnceInOrder()
        => RunAsync(kill: true, "MURMUR_RESTART_KILL");

    private async Task RunAsync(bool kill, string name)
    {
        // A stream of its own per run, deleted at the end, so runs do not pile data onto what the servers recover.
        var stream = $"{name}_{Guid.NewGuid():N}"[..(name.Length + 9)];
        var options = new NatsEventLogOptions
        {
            Url = NatsCluster.Url,
            StreamName = stream,
            SubjectPrefix = stream.ToLowerInvariant(),
            Replicas = 3,
            RequestTimeout = TimeSpan.FromSeconds(5),
            AppendDeadline = TimeSpan.FromMinutes(2), // an append rides out the whole outage by retrying with its id
        };
        var run = Guid.NewGuid().ToString("N")[..8];
        var topics = Enumerable.Range(0, Topics).Select(t => $"restart-{run}-{t}").ToArray();
        var acknowledged = topics.Select(_ => new List<(string Id, long Position)>()).ToArray();
        var ackedCount = 0;
        var failures = 0;
        var halfway = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var backUp = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var restarted = 0;
        var clock = Stopwatch.StartNew();
        try
        {
            await using (var log = await NatsEventLog.ConnectAsync(options))
            {
                // One sequential appender per topic, all topics at once: per-topic order is the order of acknowledgements.
                var appenders = Enumerable.Range(0, Topics).Select(t => Task.Run(async () =>
                {
                    for (var i = 0; i < PerTopic; i++)
                    {
                        var id = $"t{t}-{i:D5}";
                        var record = new LogRecord(id, Encoding.UTF8.GetBytes($$"""{"t":{{t}},"i":{{i}}}"""));
                        while (true)
                        {
                            try
                            {
                                var position = await log.AppendAsync(topics[t], record);
                                acknowledged[t].Add((id, position));
                                break;
                            }
                            catch (EventLogException) when (Interlocked.Increment(ref failures) <= 3 * Topics)
                            {
                                // Not acknowledged after the whole AppendDeadline: retry with the same id, as a node does.
                            }
                        }
                        var acked = Interlocked.Increment(ref ackedCount);
                        if (acked == Total / 2)
                        {
                            halfway.TrySetResult();
                        }
                        if (Volatile.Read(ref restarted) == 1)
                        {
                            backUp.TrySetResult();
                        }
                    }
                })).ToArray();

                await halfway.Task.WaitAsync(Patience);
                var stopAt = clock.Elapsed;
                var ackedAtStop = Volatile.Read(ref ackedCount);
                NatsCluster.StopAll(kill);
                var down = clock.Elapsed;
                var ackedWhenDown = Volatile.Read(ref ackedCount);
                NatsCluster.StartAll();
                Volatile.Write(ref restarted, 1);
                await backUp.Task.WaitAsync(Patience); // the first acknowledgement after the restart: the stream is back
                var back = clock.Elapsed;
                await Task.WhenAll(appenders).WaitAsync(Patience);
                output.WriteLine($"{(kill ? "SIGKILL" : "SIGTERM")}: {ackedAtStop} of {Total} acknowledged when the stop began, {ackedWhenDown} when all three were gone; " +
                    $"stopping took {(down - stopAt).TotalSeconds:F1} s; first acknowledgement {(back - down).TotalSeconds:F1} s after the restart; " +
                    $"appends that failed after their whole deadline: {failures}; all acknowledged after {clock.Elapsed.TotalSeconds:F1} s");
            }

            // Read everything back through a fresh connection.
            await using var reader = await NatsEventLog.ConnectAsync(options);
            var lost = 0;
            var duplicated = 0;
            using var reading = new CancellationTokenSource(Patience);
            for (var t = 0; t < Topics; t++)
            {
                var read = new List<LogEntry>();
                await foreach (var entry in reader.ReadAsync(topics[t]).WithCancellation(reading.Token))
                {
                    read.Add(entry);
                }
                var ids = read.Select(e => e.EventId).ToList();
                duplicated += ids.Count - ids.Distinct(StringComparer.Ordinal).Count();
                lost += acknowledged[t].Select(a => a.Id).Except(ids, StringComparer.Ordinal).Count();
                output.WriteLine($"topic {t}: {acknowledged[t].Count} acknowledged, {read.Count} read");
                // Exactly the acknowledged events, in acknowledgement order, each at the position it was acknowledged at.
                Assert.Equal(acknowledged[t].Select(a => a.Id), ids);
                Assert.Equal(acknowledged[t].Select(a => a.Position), read.Select(e => e.Position));
                Assert.Equal(Enumerable.Range(0, PerTopic).Select(i => $"t{t}-{i:D5}"), ids);
            }
            output.WriteLine($"lost {lost}, duplicated {duplicated}, total {clock.Elapsed.TotalSeconds:F1} s");
            Assert.Equal(Total, acknowledged.Sum(a => a.Count));
        }
        finally
        {
            await NatsCluster.WaitAllHealthyAsync(); // leave the cluster as the next test expects it
            await NatsCluster.DeleteStreamAsync(stream);
        }
    }
}
