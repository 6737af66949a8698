using System.Threading.Channels;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Murmur.Logs;
using Murmur.Transport;
using Polly.CircuitBreaker;

namespace Murmur.Kafka.Tests;

/// <summary>The transports' resilience pipeline (src/Shared/LogPipeline.cs), driven by a fake clock.</summary>
public sealed class ResilienceTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private static KafkaException Transient() => new(new Error(ErrorCode.NotLeaderForPartition));

    private static LogResilienceOptions NoJitter(FakeTimeProvider time) => new() { UseJitter = false, TimeProvider = time };

    /// <summary>Runs <paramref name="attempt"/> and reports each attempt on a channel, so the test waits on the attempts themselves.</summary>
    private static (Task<int> Result, ChannelReader<int> Attempts) Start(LogPipeline pipeline, Func<int, int> attempt, TimeSpan deadline)
    {
        var attempts = Channel.CreateUnbounded<int>();
        var count = 0;
        var result = pipeline.ExecuteAsync(_ =>
        {
            var n = Interlocked.Increment(ref count);
            attempts.Writer.TryWrite(n);
            return Task.FromResult(attempt(n));
        }, deadline, CancellationToken.None);
        return (result, attempts.Reader);
    }

    [Fact]
    public async Task TransientFailures_AreRetried_WithDoublingPauses_OnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var retries = new List<(int Attempt, TimeSpan Delay)>();
        var pipeline = new LogPipeline(NoJitter(time), KafkaErrors.IsTransient, onRetry: (_, attempt, delay, _) => retries.Add((attempt, delay)));
        var (result, attempts) = Start(pipeline, n => n < 4 ? throw Transient() : 42, TimeSpan.FromSeconds(30));
        Assert.Equal(1, await attempts.ReadAsync().AsTask().WaitAsync(Patience));
        foreach (var (pause, next) in new[] { (50, 2), (100, 3), (200, 4) })
        {
            time.Advance(TimeSpan.FromMilliseconds(pause - 1));
            Assert.False(attempts.TryPeek(out _), $"attempt {next} came before its {pause} ms pause was over");
            time.Advance(TimeSpan.FromMilliseconds(1));
            Assert.Equal(next, await attempts.ReadAsync().AsTask().WaitAsync(Patience));
        }
        Assert.Equal(42, await result.WaitAsync(Patience));
        Assert.Equal([(1, TimeSpan.FromMilliseconds(50)), (2, TimeSpan.FromMilliseconds(100)), (3, TimeSpan.FromMilliseconds(200))], retries);
    }

    [Fact]
    public async Task Retries_StopAtTheDeadline_AndTheLastFailureIsThrown()
    {
        var time = new FakeTimeProvider();
        var pipeline = new LogPipeline(NoJitter(time) with { MaxDelay = TimeSpan.FromMilliseconds(400) }, KafkaErrors.IsTransient);
        var (result, attempts) = Start(pipeline, _ => throw Transient(), TimeSpan.FromSeconds(1));
        var seen = 0;
        while (!result.IsCompleted)
        {
            seen = await attempts.ReadAsync().AsTask().WaitAsync(Patience);
            time.Advance(TimeSpan.FromMilliseconds(400));
            await Task.WhenAny(result, attempts.WaitToReadAsync().AsTask()).WaitAsync(Patience);
        }
        var error = await Assert.ThrowsAsync<KafkaException>(() => result);
        Assert.Equal(ErrorCode.NotLeaderForPartition, error.Error.Code);
        Assert.InRange(seen, 3, 5); // 50 + 100 + 200 + 400 ms of pauses fit in the 1 s deadline, measured on the fake clock
    }

    [Fact]
    public async Task ConfigurationErrors_AndOneShotCalls_AreNotRetried()
    {
        var time = new FakeTimeProvider();
        var pipeline = new LogPipeline(NoJitter(time), KafkaErrors.IsTransient);
        var calls = 0;
        await Assert.ThrowsAsync<KafkaException>(() => pipeline.ExecuteAsync<int>(_ => { calls++; throw new KafkaException(new Error(ErrorCode.TopicAuthorizationFailed)); }, TimeSpan.FromMinutes(1), CancellationToken.None));
        await Assert.ThrowsAsync<KafkaException>(() => pipeline.ExecuteAsync<int>(_ => { calls++; throw Transient(); }, TimeSpan.Zero, CancellationToken.None));
        Assert.Equal(2, calls);
    }

    [Fact]
    public async Task CircuitBreaker_OpensAfterRepeatedFailures_AndFailsFastWithoutCallingTheTransport()
    {
        var time = new FakeTimeProvider();
        var options = NoJitter(time) with
        {
            CircuitBreaker = new LogCircuitBreakerOptions { FailureRatio = 0.5, MinimumThroughput = 2, BreakDuration = TimeSpan.FromSeconds(5) },
        };
        var pipeline = new LogPipeline(options, KafkaErrors.IsTransient);
        var calls = 0;
        Task<int> Fail() => pipeline.ExecuteAsync<int>(_ => { calls++; throw Transient(); }, TimeSpan.Zero, CancellationToken.None);
        await Assert.ThrowsAsync<KafkaException>(Fail);
        await Assert.ThrowsAsync<KafkaException>(Fail);
        await Assert.ThrowsAsync<BrokenCircuitException>(Fail); // open: the transport is spared
        Assert.Equal(2, calls);
        Assert.True(KafkaErrors.IsTransient(new BrokenCircuitException()));
        time.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(7, await pipeline.ExecuteAsync(_ => { calls++; return Task.FromResult(7); }, TimeSpan.Zero, CancellationToken.None)); // half-open probe succeeds
        Assert.Equal(3, calls);
    }

    [Theory]
    [InlineData(SyslogLevel.Critical, LogLevel.Error)]
    [InlineData(SyslogLevel.Error, LogLevel.Information)]
    [InlineData(SyslogLevel.Warning, LogLevel.Information)]
    [InlineData(SyslogLevel.Info, LogLevel.Debug)]
    [InlineData(SyslogLevel.Debug, LogLevel.Trace)]
    public void LibrdkafkaLines_AreInformationAtMost_UnlessCritical(SyslogLevel level, LogLevel expected)
        => Assert.Equal(expected, KafkaClientLogging.LevelOf(level));

    [Fact]
    public void ResilienceOptions_AreValidated()
    {
        LogResilienceOptions.Default.Validate();
        Assert.Equal("MaxDelay", Assert.Throws<ArgumentOutOfRangeException>(() => new LogResilienceOptions { BaseDelay = TimeSpan.FromSeconds(2) }.Validate()).ParamName);
        Assert.Equal("FailureRatio", Assert.Throws<ArgumentOutOfRangeException>(() => new LogResilienceOptions { CircuitBreaker = new LogCircuitBreakerOptions { FailureRatio = 0 } }.Validate()).ParamName);
        Assert.Equal("ReadDeadline", Assert.Throws<ArgumentOutOfRangeException>(() => new KafkaEventLogOptions { ReadDeadline = TimeSpan.FromSeconds(-1) }.Validate()).ParamName);
    }
}
