using Murmur.Causality;
using Murmur.Cli.Mesh;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;
using TaskStatus = Murmur.Cli.Mesh.TaskStatus;

namespace Murmur.Cli.Dashboard;

/// <summary>
/// One topic the dashboard follows: the task announced for it (if any), and what its delivered events say — how many,
/// who completed — plus the most recent of them for the space-time diagram (a bounded window).
/// </summary>
/// <remarks>Thread-safe: a background loop watches the topic (it misses no event, whatever the node trims) and readers take snapshots.</remarks>
internal sealed class WatchedTopic : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly Queue<AgentEvent> _latest = new();
    private readonly List<string> _completed = [];
    private readonly int _window;
    private readonly ChangeSignal _changed;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watching;
    private long _events;
    private string? _problem;

    public WatchedTopic(Topic topic, TaskRequest? task, int window, ChangeSignal changed)
    {
        Topic = topic;
        Task = task;
        _window = window;
        _changed = changed;
        _watching = WatchAsync(_stop.Token);
    }

    /// <summary>The topic as the dashboard's node follows it.</summary>
    public Topic Topic { get; }

    /// <summary>The task announced for this topic on the control topic, or null for a topic named with <c>--topic</c>.</summary>
    public TaskRequest? Task { get; }

    /// <summary>The topic's name.</summary>
    public string Name => Topic.Name;

    /// <summary>What the topics table shows of this topic now.</summary>
    public TopicSummary Summary()
    {
        var members = Topic.Roster.Members;
        lock (_gate)
        {
            // The rule of 'murmur task list': a coder completed, or every member that joined did.
            var state = TaskStatus.StateOf(_events, members, _completed);
            return new TopicSummary(Name, Task?.Task, Task?.Goal, Topic.Consistency.ToString().ToLowerInvariant(), members, _events, [.. _completed], Topic.Round, state, _problem);
        }
    }

    /// <summary>The roster, the most recent delivered events (at most the window) and how many were delivered in all.</summary>
    public (Roster Roster, IReadOnlyList<AgentEvent> Latest, long Total) Window()
    {
        List<AgentEvent> latest;
        long total;
        lock (_gate)
        {
            latest = [.. _latest];
            total = _events;
        }
        // Read after the events: the roster only grows, so it names every actor among them.
        return (Topic.Roster, latest, total);
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        await System.Threading.Tasks.Task.Yield(); // the constructor returns before the first event is read
        try
        {
            await foreach (var e in Topic.WatchAsync(cancellationToken))
            {
                lock (_gate)
                {
                    _events++;
                    _latest.Enqueue(e);
                    if (_latest.Count > _window)
                    {
                        _latest.Dequeue();
                    }
                    if (e.Action == Actions.TaskComplete && !_completed.Contains(e.Actor))
                    {
                        _completed.Add(e.Actor);
                    }
                }
                _changed.Notify();
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is EventLogException or ObjectDisposedException or TopicReleasedException or InvalidOperationException)
        {
            lock (_gate)
            {
                _problem = $"stopped following: {ex.Message}";
            }
            _changed.Notify();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watching;
        _stop.Dispose();
    }
}
