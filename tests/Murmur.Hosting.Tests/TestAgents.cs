using Murmur.Agents;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Hosting.Tests;

/// <summary>A DI service the agents take in their constructors.</summary>
public sealed class Greeting
{
    public string Text { get; init; } = "hello";
}

/// <summary>Counts agent starts and stops; waiters complete when a count is reached.</summary>
public sealed class Probe
{
    private readonly TaskCompletionSource _secondStart = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _starts;

    public int Starts => Volatile.Read(ref _starts);

    public int Stops;

    public Task SecondStart => _secondStart.Task;

    public TaskCompletionSource BlockStop { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public bool BlockStopping { get; set; }

    public void Started()
    {
        if (Interlocked.Increment(ref _starts) == 2)
        {
            _secondStart.TrySetResult();
        }
    }
}

/// <summary>Publishes PING with the injected greeting when it starts.</summary>
public sealed class Pinger(Greeting greeting, Probe probe) : Agent
{
    protected override async ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        probe.Started();
        await Topics[0].PublishAsync("PING", new { text = greeting.Text }, cancellationToken: cancellationToken);
    }

    protected override async ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref probe.Stops);
        if (probe.BlockStopping)
        {
            await probe.BlockStop.Task;
        }
    }
}

/// <summary>Answers every PING of another agent with a PONG.</summary>
public sealed class Ponger(Probe probe) : Agent
{
    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        foreach (var ping in view.FromOthers.Where(e => e.Action == "PING" && !view.IsReplay))
        {
            await Topics[0].PublishAsync("PONG", new { to = ping.EventId }, cancellationToken: cancellationToken);
        }
    }

    protected override ValueTask OnStoppedAsync(ExitReason reason, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref probe.Stops);
        return ValueTask.CompletedTask;
    }
}

/// <summary>Throws on "boom"; reports each start to the probe.</summary>
public sealed class Crasher(Probe probe) : Agent
{
    protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        probe.Started();
        return ValueTask.CompletedTask;
    }

    protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        => message is "boom" ? throw new InvalidOperationException("boom") : ValueTask.CompletedTask;
}

/// <summary>Publishes ASK when told "go".</summary>
public sealed class Asker : Agent
{
    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        => await Topics[0].PublishAsync("ASK", new { question = "where is the token logged?" }, cancellationToken: cancellationToken);
}

/// <summary>Answers every ASK of another agent.</summary>
public sealed class Answerer : Agent
{
    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        foreach (var ask in view.FromOthers.Where(e => e.Action == "ASK" && !view.IsReplay))
        {
            await Topics[0].PublishAsync("ANSWER", new { to = ask.EventId }, cancellationToken: cancellationToken);
        }
    }
}

/// <summary>An in-memory log that fails every call while <see cref="Broken"/>.</summary>
public sealed class BreakableLog : IEventLog
{
    private readonly InMemoryEventLog _inner = new();

    public bool Broken { get; set; }

    /// <summary>Added to every end position: entries the readers have not reached.</summary>
    public long EndAhead { get; set; }

    public string Name => "breakable";

    public int MaxRecordBytes => _inner.MaxRecordBytes;

    public ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
        => Broken ? throw new IOException("the log is down") : _inner.AppendAsync(topic, record, cancellationToken);

    public ValueTask<IReadOnlyList<long>> AppendBatchAsync(string topic, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default)
        => Broken ? throw new IOException("the log is down") : _inner.AppendBatchAsync(topic, records, cancellationToken);

    public IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false, CancellationToken cancellationToken = default)
        => _inner.ReadAsync(topic, fromPosition, follow, cancellationToken);

    public ValueTask<long> GetEndPositionAsync(string topic, CancellationToken cancellationToken = default)
        => Broken ? throw new IOException("the log is down") : EndAsync(topic, cancellationToken);

    private async ValueTask<long> EndAsync(string topic, CancellationToken cancellationToken)
        => await _inner.GetEndPositionAsync(topic, cancellationToken) + EndAhead;

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
