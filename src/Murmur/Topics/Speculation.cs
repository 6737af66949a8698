using Murmur.Agents;
using Murmur.Events;

namespace Murmur.Topics;

/// <summary>
/// Work an agent does on provisional events (e.g. a <c>FINDING</c> before its producer's <c>TASK_COMPLETE</c>).
/// Reads and drafts run at once; what it publishes carries <c>depends_on</c>; its side effects are journaled and
/// run only when every dependency is confirmed. When a dependency is withdrawn (<c>RETRACT</c>, or the abort of
/// the speculation that produced it) the speculation aborts: the journal is discarded, its events are withdrawn
/// with <c>SPECULATION_ABORT</c> (so speculations built on them abort in turn), and the agent is told through
/// <see cref="Agent.OnSpeculationAbortedAsync"/>.
/// </summary>
/// <remarks>Use it from the agent's own handlers. Dispose it (<c>await using</c>) when the speculative work is done.</remarks>
public sealed class Speculation : IAsyncDisposable
{
    private readonly TopicMember _member;
    private readonly List<AgentEvent> _published = [];
    private readonly List<Func<CancellationToken, ValueTask>> _journal = [];

    internal Speculation(TopicMember member, string id, IReadOnlyList<string> dependsOn)
    {
        _member = member;
        Id = id;
        DependsOn = dependsOn;
    }

    /// <summary>The speculation's id, quoted by its <c>SPECULATION_COMMIT</c> / <c>SPECULATION_ABORT</c>.</summary>
    public string Id { get; }

    /// <summary>The event ids it depends on.</summary>
    public IReadOnlyList<string> DependsOn { get; }

    /// <summary>Where it stands.</summary>
    public SpeculationState State { get; internal set; }

    /// <summary>Why it aborted, when it did.</summary>
    public string? AbortReason { get; internal set; }

    /// <summary>The events published inside it.</summary>
    public IReadOnlyList<AgentEvent> Published => _published;

    /// <summary>How many side effects wait in the journal.</summary>
    public int JournaledEffects => _journal.Count;

    /// <summary>Publishes a speculative event: it carries this speculation's <c>depends_on</c>.</summary>
    /// <exception cref="InvalidOperationException">The speculation is no longer open.</exception>
    public async Task<AgentEvent> PublishAsync(string action, object? payload = null, CancellationToken cancellationToken = default)
    {
        EnsureOpen();
        var published = await _member.PublishAsync(action, payload, DependsOn, cancellationToken).ConfigureAwait(false);
        _published.Add(published);
        return published;
    }

    /// <summary>Journals a side effect (a file write, an external call): it runs only if the speculation commits.</summary>
    public void OnCommit(Func<CancellationToken, ValueTask> effect)
    {
        ArgumentNullException.ThrowIfNull(effect);
        EnsureOpen();
        _journal.Add(effect);
    }

    /// <summary>Journals a synchronous side effect; see <see cref="OnCommit(Func{CancellationToken, ValueTask})"/>.</summary>
    public void OnCommit(Action effect)
    {
        ArgumentNullException.ThrowIfNull(effect);
        OnCommit(_ =>
        {
            effect();
            return ValueTask.CompletedTask;
        });
    }

    /// <summary>Ends the speculative work: it commits at once if its dependencies are already confirmed, else waits.</summary>
    public async ValueTask DisposeAsync()
    {
        if (State != SpeculationState.Open)
        {
            return;
        }
        State = SpeculationState.Pending;
        await _member.Speculations.SettleAsync(this, CancellationToken.None).ConfigureAwait(false);
    }

    internal async ValueTask CommitAsync(CancellationToken cancellationToken)
    {
        State = SpeculationState.Committed;
        // The decision is recorded before the effects run: a crash in between loses effects rather than
        // repeating them (at most once).
        await _member.PublishAsync(Actions.SpeculationCommit, new SpeculationOutcome(Id, [.. _published.Select(e => e.EventId)], DependsOn, null), null, cancellationToken)
            .ConfigureAwait(false);
        foreach (var effect in _journal)
        {
            await effect(cancellationToken).ConfigureAwait(false);
        }
        _journal.Clear();
    }

    internal async ValueTask AbortAsync(string reason, CancellationToken cancellationToken)
    {
        State = SpeculationState.Aborted;
        AbortReason = reason;
        _journal.Clear();
        await _member.PublishAsync(Actions.SpeculationAbort, new SpeculationOutcome(Id, [.. _published.Select(e => e.EventId)], DependsOn, reason), null, cancellationToken)
            .ConfigureAwait(false);
    }

    private void EnsureOpen()
    {
        if (State != SpeculationState.Open)
        {
            throw new InvalidOperationException($"Speculation {Id} is {State}; it takes no more events or effects.");
        }
    }
}
