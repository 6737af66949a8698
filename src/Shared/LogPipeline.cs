using Murmur.Logs;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Murmur.Transport;

/// <summary>
/// One kind of a transport's calls (appends, reads) run through one Polly pipeline built from
/// <see cref="LogResilienceOptions"/>: retry of what <c>isTransient</c> accepts, with exponential backoff and jitter,
/// for as long as the call's deadline allows; an optional circuit breaker; each attempt bounded by a timeout.
/// </summary>
/// <remarks>
/// Compiled into each transport assembly (src/Shared): the core library stays free of Polly. The deadline is per call
/// (a probe gives up at once, a follower never does), so it travels in the <see cref="ResilienceContext"/>; the attempt
/// in flight when the deadline passes is not cut short, and its failure is the one thrown. Thread-safe.
/// </remarks>
internal sealed class LogPipeline
{
    private static readonly ResiliencePropertyKey<long> StartedKey = new("murmur.started");
    private static readonly ResiliencePropertyKey<TimeSpan> DeadlineKey = new("murmur.deadline");
    private static readonly ResiliencePropertyKey<string> WhatKey = new("murmur.what");
    private readonly ResiliencePipeline _pipeline;
    private readonly TimeProvider _time;

    /// <param name="options">Backoff, jitter, circuit breaker and clock.</param>
    /// <param name="isTransient">Which failures are retried; a <see cref="BrokenCircuitException"/> or <see cref="TimeoutRejectedException"/> always is.</param>
    /// <param name="attemptTimeout">The longest one attempt may take; <see langword="null"/> leaves it to the client's own timeout.</param>
    /// <param name="onRetry">Told about each retry: the failure, the attempt that failed (1-based), the pause before the next, and what the call is about.</param>
    /// <param name="immediate">Failures retried without a pause (e.g. a request that must be sent again at once).</param>
    public LogPipeline(LogResilienceOptions options, Func<Exception, bool> isTransient, TimeSpan? attemptTimeout = null,
        Action<Exception, int, TimeSpan, string>? onRetry = null, Func<Exception, bool>? immediate = null)
    {
        _time = options.TimeProvider;
        var builder = new ResiliencePipelineBuilder { TimeProvider = options.TimeProvider, Name = "murmur-log" };
        builder.AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex
                && !args.Context.CancellationToken.IsCancellationRequested
                && (ex is BrokenCircuitException or TimeoutRejectedException || isTransient(ex))
                && WithinDeadline(args.Context)),
            MaxRetryAttempts = int.MaxValue,
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = options.UseJitter,
            Delay = options.BaseDelay,
            MaxDelay = options.MaxDelay,
            DelayGenerator = immediate is null ? null
                : args => ValueTask.FromResult<TimeSpan?>(args.Outcome.Exception is { } ex && immediate(ex) ? TimeSpan.Zero : null),
            OnRetry = args =>
            {
                onRetry?.Invoke(args.Outcome.Exception!, args.AttemptNumber + 1, args.RetryDelay, args.Context.Properties.GetValue(WhatKey, string.Empty));
                return ValueTask.CompletedTask;
            },
        });
        if (options.CircuitBreaker is { } breaker)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && !args.Context.CancellationToken.IsCancellationRequested
                    && (ex is TimeoutRejectedException || isTransient(ex))),
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
            });
        }
        if (attemptTimeout is { } timeout && timeout > TimeSpan.Zero && timeout < TimeSpan.FromDays(1))
        {
            builder.AddTimeout(timeout);
        }
        _pipeline = builder.Build();
    }

    /// <summary>Runs <paramref name="action"/>, retrying transient failures until <paramref name="deadline"/> has passed since the first attempt.</summary>
    /// <param name="action">One attempt; it must observe its token (an attempt timeout or the caller's cancellation).</param>
    /// <param name="deadline">How long retries may go on; <see cref="TimeSpan.Zero"/> for one attempt, <see cref="TimeSpan.MaxValue"/> until cancelled.</param>
    /// <param name="cancellationToken">The caller's cancellation.</param>
    /// <param name="what">What the call is about (a topic), for the retry log.</param>
    public async Task<T> ExecuteAsync<T>(Func<CancellationToken, Task<T>> action, TimeSpan deadline, CancellationToken cancellationToken, string what = "")
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(StartedKey, _time.GetTimestamp());
            context.Properties.Set(DeadlineKey, deadline);
            context.Properties.Set(WhatKey, what);
            var outcome = await _pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state(ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception ex)
                    {
                        return Outcome.FromException<T>(ex);
                    }
                }, context, action).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private bool WithinDeadline(ResilienceContext context)
    {
        var deadline = context.Properties.GetValue(DeadlineKey, TimeSpan.Zero);
        return deadline == TimeSpan.MaxValue
            || _time.GetElapsedTime(context.Properties.GetValue(StartedKey, _time.GetTimestamp())) < deadline;
    }
}
