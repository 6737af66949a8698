using Murmur.Logs;
using Murmur.Testing;

namespace Murmur.Tests.Log;

public sealed class InMemoryEventLogTests : EventLogConformanceTests
{
    protected override Task<IEventLog> CreateLogAsync(int maxRecordBytes = LogGuard.DefaultMaxRecordBytes)
        => Task.FromResult<IEventLog>(new InMemoryEventLog(maxRecordBytes));

    [Fact]
    public async Task Positions_AreContiguousFromOne()
    {
        await using var log = new InMemoryEventLog();
        Assert.Equal(1, await log.AppendAsync("t", Record("a")));
        Assert.Equal(2, await log.AppendAsync("t", Record("b")));
        Assert.Equal(1, await log.AppendAsync("u", Record("a")));
    }

    [Fact]
    public async Task AppendedBytes_AreCopied_SoTheCallerMayReuseItsBuffer()
    {
        await using var log = new InMemoryEventLog();
        var buffer = "{\"v\":1}"u8.ToArray();
        await log.AppendAsync("t", new LogRecord("a", buffer));
        buffer[5] = (byte)'9';
        var entry = Assert.Single(await ReadAllAsync(log, "t"));
        Assert.Equal("{\"v\":1}", System.Text.Encoding.UTF8.GetString(entry.Data.Span));
    }
}
