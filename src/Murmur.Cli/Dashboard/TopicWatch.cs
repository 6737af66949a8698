using Murmur.Cli.Mesh;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Cli.Dashboard;

/// <summary>
/// The topics the dashboard follows: every task announced on the control topic (as <c>murmur task list</c> reads them,
/// and each one announced while the dashboard runs) plus each <c>--topic T</c>, opened on the dashboard's node.
/// </summary>
/// <remarks>
/// Thread-safe. With signing, only announcements signed by a trusted key are followed, as on <c>murmur node</c>.
/// <see cref="Changed"/> moves whenever a followed topic delivers an event or a topic is added.
/// </remarks>
internal sealed class TopicWatch : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<WatchedTopic> _topics = [];
    private readonly MurmurNode _node;
    private readonly IEventLog _log;
    private readonly DashboardOptions _options;
    private readonly ControlSigning? _signing;
    private readonly CancellationTokenSource _stop = new();
    private Task _following = Task.CompletedTask;
    private string? _problem;

    private TopicWatch(MurmurNode node, IEventLog log, DashboardOptions options)
    {
        _node = node;
        _log = log;
        _options = options;
        _signing = ControlSigning.Create(options.Signing);
    }

    /// <summary>Moves when a followed topic delivers an event or a topic is added.</summary>
    public ChangeSignal Changed { get; } = new();

    /// <summary>Why a topic or the control topic is not followed (the latest such problem), or null.</summary>
    public string? Problem
    {
        get
        {
            lock (_gate)
            {
                return _problem;
            }
        }
    }

    /// <summary>The followed topics: the <c>--topic</c> ones first, then the tasks in the order they were announced.</summary>
    public IReadOnlyList<WatchedTopic> Topics
    {
        get
        {
            lock (_gate)
            {
                return [.. _topics];
            }
        }
    }

    /// <summary>The followed topic named <paramref name="name"/>, or null.</summary>
    public WatchedTopic? Find(string name)
    {
        lock (_gate)
        {
            return _topics.Find(t => t.Name == name);
        }
    }

    /// <summary>Reads the tasks announced so far, opens their topics and the <c>--topic</c> ones, then follows new announcements.</summary>
    public static async Task<TopicWatch> StartAsync(MurmurNode node, IEventLog log, DashboardOptions options, CancellationToken cancellationToken = default)
    {
        var watch = new TopicWatch(node, log, options);
        try
        {
            var announced = new Dictionary<string, TaskRequest>(StringComparer.Ordinal);
            var order = new List<string>();
            var last = 0L;
            await foreach (var entry in log.ReadAsync(TaskRequest.ControlTopic, 1, follow: false, cancellationToken))
            {
                last = entry.Position;
                if (watch.Announcement(entry.Data.Span) is { } task && announced.TryAdd(task.Topic, task))
                {
                    order.Add(task.Topic);
                }
            }
            foreach (var topic in options.Topics)
            {
                await watch.FollowAsync(topic, announced.GetValueOrDefault(topic), cancellationToken);
            }
            foreach (var topic in order)
            {
                await watch.FollowAsync(topic, announced[topic], cancellationToken);
            }
            watch._following = watch.FollowAnnouncementsAsync(last + 1, watch._stop.Token);
            return watch;
        }
        catch
        {
            await watch.DisposeAsync();
            throw;
        }
    }

    /// <summary>The task an entry of the control topic announces, or null when it is not a (trusted) announcement.</summary>
    private TaskRequest? Announcement(ReadOnlySpan<byte> data)
    {
        // Anyone who can write to the log can write there: what does not decode (or verify) as a task is not one.
        // TryRead refuses an announcement without a valid topic name.
        if (!AgentEventCodec.TryDecode(data, null, null, out var e, out _)
            || (_signing is not null && !_signing.Verifier.TryVerify(e!, out _, out _)))
        {
            return null;
        }
        return TaskRequest.TryRead(e!);
    }

    private async Task FollowAnnouncementsAsync(long from, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var entry in _log.ReadAsync(TaskRequest.ControlTopic, from, follow: true, cancellationToken))
            {
                if (Announcement(entry.Data.Span) is { } task)
                {
                    await FollowAsync(task.Topic, task, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is EventLogException or ObjectDisposedException)
        {
            Fail($"stopped following the tasks announced on '{TaskRequest.ControlTopic}': {ex.Message}");
        }
    }

    private async Task FollowAsync(string name, TaskRequest? task, CancellationToken cancellationToken)
    {
        if (Find(name) is not null)
        {
            return; // announced again, or both announced and named with --topic
        }
        Topic topic;
        try
        {
            topic = await _node.OpenTopicAsync(name, task?.Consistency ?? Consistency.Eventual, cancellationToken);
        }
        catch (Exception ex) when (ex is EventLogException or InvalidOperationException)
        {
            Fail($"cannot follow topic '{name}': {ex.Message}");
            return;
        }
        lock (_gate)
        {
            _topics.Add(new WatchedTopic(topic, task, _options.DiagramEvents, Changed));
        }
        Changed.Notify();
    }

    private void Fail(string problem)
    {
        lock (_gate)
        {
            _problem = problem;
        }
        Changed.Notify();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _following;
        foreach (var topic in Topics)
        {
            await topic.DisposeAsync();
        }
        _stop.Dispose();
        _signing?.Dispose();
    }
}
