using Murmur.Logs;
using Murmur.Testing;

namespace Murmur.Nats.Integration.Tests;

/// <summary>The IEventLog conformance suite on a real three-server JetStream cluster, stream at R3.</summary>
public sealed class NatsEventLogTests : EventLogConformanceTests
{
    protected override async Task<IEventLog> CreateLogAsync(int maxRecordBytes = LogGuard.DefaultMaxRecordBytes)
        => await NatsCluster.ConnectAsync("MURMUR_CONFORMANCE", replicas: 3, maxRecordBytes);

    [Fact]
    public async Task Connect_ToAPortWithNoServer_FailsWithAClearError()
    {
        var error = await Assert.ThrowsAsync<EventLogException>(() => NatsEventLog.ConnectAsync(new NatsEventLogOptions
        {
            Url = "nats://127.0.0.1:1",
            RequestTimeout = TimeSpan.FromSeconds(1),
        }));
        Assert.Contains("nats://127.0.0.1:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Options_OutOfRange_AreRefusedWithTheirName()
    {
        var error = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => NatsEventLog.ConnectAsync(new NatsEventLogOptions { Replicas = 7 }));
        Assert.Equal("Replicas", error.ParamName);
        await Assert.ThrowsAsync<ArgumentException>(() => NatsEventLog.ConnectAsync(new NatsEventLogOptions { StreamName = "a.b" }));
    }

    [Fact]
    public async Task Positions_AreStreamSequences_IncreasingPerTopicAcrossTopics()
    {
        await using var log = await NatsCluster.ConnectAsync("MURMUR_CONFORMANCE");
        var a = NewTopic("a");
        var b = NewTopic("b");
        var a1 = await log.AppendAsync(a, Record("a1"));
        var b1 = await log.AppendAsync(b, Record("b1"));
        var a2 = await log.AppendAsync(a, Record("a2"));
        Assert.True(a1 < b1 && b1 < a2);
        Assert.Equal(a2, await log.GetEndPositionAsync(a));
        Assert.Equal(b1, await log.GetEndPositionAsync(b));
    }

    [Fact]
    public async Task AFollower_ReceivesOnlyItsTopicsRecords_NotThoseOfOtherTopicsInTheStream()
    {
        // nats-server before 2.10 ignores a consumer's filter_subjects; were it used, this follower would receive all
        // 300 records of the other topic, and every append's cost would grow with the number of topics followed.
        await using var log = await NatsCluster.ConnectAsync("MURMUR_CONFORMANCE");
        var mine = NewTopic("mine");
        var other = NewTopic("other");
        await log.AppendAsync(mine, Record("m0"));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await using var follower = log.ReadAsync(mine, 1, follow: true, cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await follower.MoveNextAsync());
        Assert.Equal("m0", follower.Current.EventId);
        var before = log.ConsumerMessagesReceived;

        await log.AppendBatchAsync(other, [.. Enumerable.Range(0, 300).Select(i => Record($"o{i}"))]);
        await log.AppendAsync(mine, Record("m1"));

        Assert.True(await follower.MoveNextAsync());
        Assert.Equal("m1", follower.Current.EventId);
        Assert.Equal(1, log.ConsumerMessagesReceived - before);
    }
}

/// <summary>A follower survives the death of the server it is connected to.</summary>
public sealed class NatsReconnectTests : EventLogReconnectTests
{
    private int _killed;

    protected override async Task<IEventLog> CreateLogAsync() => await NatsCluster.ConnectAsync("MURMUR_RECONNECT");

    protected override Task InterruptAsync(IEventLog follower)
    {
        var name = ((NatsEventLog)follower).Connection.ServerInfo?.Name ?? "n1";
        _killed = int.Parse(name.AsSpan(1), System.Globalization.CultureInfo.InvariantCulture);
        NatsCluster.Kill(_killed);
        return Task.CompletedTask;
    }

    protected override Task RestoreAsync() => _killed == 0 ? Task.CompletedTask : NatsCluster.RestartAsync(_killed);
}
