using System.Text.Json;
using Murmur.Causality;
using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Fleet;

public sealed partial class MurmurFleet
{
    /// <summary>Feeds every other node's announcements to its detector: a new incarnation starts a fresh one.</summary>
    private Task WatchAsync(CancellationToken cancellationToken) => KeepFollowingAsync("membership watch", async ct =>
    {
        await foreach (var record in _store.WatchAsync(ct).ConfigureAwait(false))
        {
            Observe(record);
        }
    }, cancellationToken);

    /// <summary>Runs a follower until cancelled; when it fails (logged) or ends, it starts again a heartbeat interval later.</summary>
    private async Task KeepFollowingAsync(string what, Func<CancellationToken, Task> follow, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await follow(cancellationToken).ConfigureAwait(false);
                await Task.Delay(_options.HeartbeatInterval, _node.TimeProvider, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (EventLogException ex)
            {
                FleetLogMessages.IoFailed(_logger, what, ex);
                try
                {
                    await Task.Delay(_options.HeartbeatInterval, _node.TimeProvider, cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    private void Observe(MembershipRecord record)
    {
        var chunked = AgentChunk.TryParseKey(record.Node, out var chunkOf, out var chunk);
        if (record.Data.IsEmpty && (chunked ? string.Equals(chunkOf, NodeId, StringComparison.Ordinal) : IsOwnKey(record.Node)))
        {
            PutBackOwnRecords();
            return;
        }
        if (chunked)
        {
            ObserveChunk(record, chunkOf, chunk);
            return;
        }
        if (record.Data.IsEmpty)
        {
            Forget(record.Node);
            return;
        }
        if (NodeBeat.IsBeatKey(record.Node))
        {
            ObserveBeat(record);
            return;
        }
        if (NodeAnnouncement.TryDecode(record, out var problem) is not { } announcement)
        {
            FleetLogMessages.Refused(_logger, record.Node, problem!);
            return;
        }
        if (string.Equals(announcement.Node, NodeId, StringComparison.Ordinal))
        {
            return; // this node (or an older run of it, already read at start)
        }
        lock (_gate)
        {
            if (!_observed.TryGetValue(announcement.Node, out var observed) || announcement.Incarnation > observed.Announcement.Incarnation)
            {
                // Judged only once it beats while this node watches: a dead node's last record, left in the store, is
                // never its heartbeat (it was declared down by the nodes that saw it live, or it left on purpose).
                _observed[announcement.Node] = new Observed(announcement, new PhiAccrualDetector(_options.Detector, _node.TimeProvider)) { Changed = _node.TimeProvider.GetTimestamp() };
                return;
            }
            if (announcement.Incarnation < observed.Announcement.Incarnation)
            {
                return; // a late record of an older run
            }
            if (announcement.Leaving)
            {
                observed.Detector.Heartbeat(); // its last word
            }
            observed.Announcement = announcement;
            observed.Changed = _node.TimeProvider.GetTimestamp();
        }
    }

    /// <summary>
    /// A node's heartbeat. The first one seen of an incarnation only sets where its counter stands (the last beat a
    /// dead node left in the store is not a heartbeat); each later change of the counter is one.
    /// </summary>
    private void ObserveBeat(MembershipRecord record)
    {
        if (NodeBeat.TryDecode(record, out var problem) is not { } beat)
        {
            FleetLogMessages.Refused(_logger, record.Node, problem!);
            return;
        }
        if (string.Equals(beat.Node, NodeId, StringComparison.Ordinal))
        {
            if (beat.Incarnation == Incarnation)
            {
                OnEcho();
            }
            return;
        }
        lock (_gate)
        {
            if (!_observed.TryGetValue(beat.Node, out var observed) || observed.Announcement.Incarnation != beat.Incarnation)
            {
                return; // its announcement comes first; a beat of another run says nothing about this one
            }
            observed.Changed = _node.TimeProvider.GetTimestamp(); // a node whose records change is not gone
            if (observed.LastBeat is { } last && last != beat.Beat)
            {
                // While this node's own beat is overdue, whatever arrives was held up with it: the interval is the
                // store's delay, not the node's rhythm, so it is not learned.
                var now = _node.TimeProvider.GetTimestamp();
                observed.Detector.Heartbeat(sample: _node.TimeProvider.GetElapsedTime(_lastEcho, now) <= EchoDue);
            }
            observed.LastBeat = beat.Beat;
        }
    }

    /// <summary>Whether a store key is this node's announcement or beat key.</summary>
    private bool IsOwnKey(string key) => string.Equals(key, NodeId, StringComparison.Ordinal) || string.Equals(key, NodeBeat.KeyOf(NodeId), StringComparison.Ordinal);

    /// <summary>A node's record was removed: one gone for good (or never heard) is forgotten; a live one puts its records back.</summary>
    private void Forget(string node)
    {
        lock (_gate)
        {
            if (_observed.TryGetValue(node, out var observed) && (IsGone(observed.Announcement) || !observed.Detector.HasHeartbeat))
            {
                _observed.Remove(node);
                ForgetChunksLocked(node);
            }
        }
    }

    private bool IsGone(NodeAnnouncement a) => a.Leaving || _down.Contains((a.Node, a.Incarnation));

    /// <summary>
    /// Removes from the store the records of nodes gone for good longer than <see cref="FleetOptions.ForgetAfter"/>, if
    /// this node is the alive one with the lowest id (so one node does it; two with different views both removing is harmless).
    /// Gone: it left, it was declared down, or this node never heard it beat and none of its records changed for that
    /// long (it died before anyone watched, e.g. the last node of a fleet). A live node whose records are removed by
    /// mistake (a forgetter cut off from it for that long) puts them back.
    /// </summary>
    private List<NodeAnnouncement>? ToForget(long now)
    {
        if (_options.ForgetAfter is not { } forgetAfter)
        {
            return null;
        }
        // Never sooner than a live node is surely heard beating (a node that just started hears nobody yet).
        var after = TimeSpan.FromTicks(Math.Max(forgetAfter.Ticks, (_options.Detector.AcceptableHeartbeatPause + (10 * _options.HeartbeatInterval)).Ticks));
        List<NodeAnnouncement>? gone = null;
        foreach (var observed in _observed.Values)
        {
            var a = observed.Announcement;
            if (IsGone(a) || !observed.Detector.HasHeartbeat)
            {
                if (!observed.Forgetting && _node.TimeProvider.GetElapsedTime(observed.Changed, now) >= after)
                {
                    (gone ??= []).Add(a);
                }
            }
            else if (string.CompareOrdinal(a.Node, NodeId) < 0 && observed.Detector.HasHeartbeat)
            {
                return null; // a lower live node does it
            }
        }
        foreach (var a in gone ?? [])
        {
            _observed[a.Node].Forgetting = true;
        }
        return gone;
    }

    private async Task ForgetAsync(NodeAnnouncement gone)
    {
        try
        {
            // The chunks and the beat first: while the announcement stays, a failure here is tried again.
            for (var k = 0; k < gone.Chunks; k++)
            {
                await _store.RemoveAsync(AgentChunk.KeyOf(gone.Node, k), _stop.Token).ConfigureAwait(false);
            }
            await _store.RemoveAsync(NodeBeat.KeyOf(gone.Node), _stop.Token).ConfigureAwait(false);
            await _store.RemoveAsync(gone.Node, _stop.Token).ConfigureAwait(false);
            bool down;
            lock (_gate)
            {
                down = _down.Contains((gone.Node, gone.Incarnation));
            }
            FleetLogMessages.Forgot(_logger, gone.Node, gone.Incarnation, gone.Leaving ? "left" : down ? "down" : "never heard beating");
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (EventLogException ex)
        {
            FleetLogMessages.IoFailed(_logger, $"forgetting {gone.Node}", ex);
            lock (_gate)
            {
                if (_observed.TryGetValue(gone.Node, out var observed))
                {
                    observed.Forgetting = false;
                }
            }
        }
    }

    /// <summary>
    /// How long after the previous one this node's own beat is due back from the store: a heartbeat interval and half
    /// of one more for timer jitter. Later, it is overdue, and the store (or this node) was held up.
    /// </summary>
    private TimeSpan EchoDue => _options.HeartbeatInterval * 1.5;

    /// <summary>
    /// One of this run's own beats came back from the store. When it came back later than <see cref="EchoDue"/>, the
    /// store delivered nothing for the excess beyond the heartbeat interval: that excess is not counted as anyone's
    /// silence, so a store (or a route to it) whose latency comes and goes never stretches or postpones detection, and a
    /// node that died meanwhile is still declared once the silence outside the stalls adds up.
    /// </summary>
    private void OnEcho()
    {
        lock (_gate)
        {
            var now = _node.TimeProvider.GetTimestamp();
            var gap = _node.TimeProvider.GetElapsedTime(_lastEcho, now);
            _lastEcho = now;
            if (gap <= EchoDue)
            {
                return; // on time, or late by timer jitter only
            }
            var excess = gap - _options.HeartbeatInterval;
            foreach (var observed in _observed.Values)
            {
                observed.Detector.Discount(excess);
            }
            _discounted += excess;
        }
    }

    /// <summary>Judges every node: one whose φ reached the threshold is declared down (once per incarnation).</summary>
    private void Check()
    {
        if (_options.ObserveOnly)
        {
            return;
        }
        List<(NodeAnnouncement Node, double Phi)>? suspects = null;
        List<NodeAnnouncement>? gone = null;
        lock (_gate)
        {
            var now = _node.TimeProvider.GetTimestamp();
            var last = _lastCheck;
            _lastCheck = now;
            if (last != 0 && _node.TimeProvider.GetElapsedTime(last, now) > _options.Detector.AcceptableHeartbeatPause)
            {
                // This node itself stood still (SIGSTOP, a long GC, a starved machine): the silence it measured is its
                // own. Nobody is judged now; its own beat is overdue too, so nobody is judged until it comes back,
                // and then the stretch is not counted (OnEcho). A paused node never declares live ones down when it
                // continues.
                FleetLogMessages.SelfPaused(_logger, _node.TimeProvider.GetElapsedTime(last, now).TotalMilliseconds);
                return;
            }
            if (_lastEcho != 0 && _node.TimeProvider.GetElapsedTime(_lastEcho, now) > _options.Detector.AcceptableHeartbeatPause)
            {
                // This node's own announcements stopped coming back from the store (a server it depends on stalled, a
                // leader election, a partition): every other node looks silent to it, and that silence says nothing
                // about them. Nobody is judged until the store answers again; the stall is then not counted (OnEcho).
                if (!_storeStalled)
                {
                    _storeStalled = true;
                    FleetLogMessages.StoreStalled(_logger, _node.TimeProvider.GetElapsedTime(_lastEcho, now).TotalMilliseconds);
                }
                return;
            }
            if (_storeStalled)
            {
                _storeStalled = false;
                FleetLogMessages.StoreRecovered(_logger, _discounted.TotalMilliseconds);
            }
            _discounted = TimeSpan.Zero;
            foreach (var observed in _observed.Values)
            {
                var a = observed.Announcement;
                if (observed.Declared || a.Leaving || _down.Contains((a.Node, a.Incarnation)))
                {
                    continue;
                }
                var phi = observed.Detector.Phi();
                if (phi >= _options.Detector.Threshold)
                {
                    observed.Declared = true;
                    (suspects ??= []).Add((a, phi));
                }
            }
            gone = ToForget(now);
        }
        foreach (var a in gone ?? [])
        {
            _ = ForgetAsync(a);
        }
        foreach (var (suspect, phi) in suspects ?? [])
        {
            FleetLogMessages.Suspected(_logger, suspect.Node, suspect.Incarnation, phi);
            MurmurDiagnostics.CountFleet(MurmurDiagnostics.NodesSuspected, suspect.Node);
            NodeSuspected?.Invoke(suspect.Node, phi);
            _ = DeclareDownAsync(suspect, phi);
        }
    }

    /// <summary>Appends the one <c>NODE_DOWN</c> of this incarnation (its event id is derived, so others' declarations are the same record).</summary>
    private async Task DeclareDownAsync(NodeAnnouncement suspect, double phi)
    {
        using var activity = MurmurDiagnostics.StartFleet("down", suspect.Node);
        var payload = JsonSerializer.SerializeToUtf8Bytes(new NodeDownPayload(suspect.Node, suspect.Incarnation, NodeId, Math.Round(phi, 2)) { ByIncarnation = Incarnation }, FleetJson.Default.NodeDownPayload);
        var down = new AgentEvent(NodeDownPayload.EventIdFor(suspect.Node, suspect.Incarnation, NodeId), NodeId, Actions.NodeDown, payload, VectorClock.Empty)
        {
            Topic = _options.Topic,
            Timestamp = _node.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        down = _node.Signer?.Sign(down) ?? down;
        try
        {
            await _node.Log.AppendAsync(_options.Topic, new LogRecord(down.EventId, AgentEventCodec.Encode(down)), _stop.Token).ConfigureAwait(false);
            MurmurDiagnostics.CountFleet(MurmurDiagnostics.NodesDown, suspect.Node);
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
        }
        catch (EventLogException ex)
        {
            // Another node's declaration, or this node's next check, will do it.
            FleetLogMessages.IoFailed(_logger, $"NODE_DOWN of {suspect.Node}", ex);
            lock (_gate)
            {
                if (_observed.TryGetValue(suspect.Node, out var observed) && observed.Announcement.Incarnation == suspect.Incarnation)
                {
                    observed.Declared = false;
                }
            }
        }
    }

    /// <summary>Follows the fleet topic from its start: every <c>NODE_DOWN</c>, in the log's order, is the same decision on every node.</summary>
    private Task FollowDownsAsync(CancellationToken cancellationToken)
    {
        long next = 1;
        return KeepFollowingAsync("fleet topic", async ct =>
        {
            await foreach (var entry in _node.Log.ReadAsync(_options.Topic, next, follow: true, ct).ConfigureAwait(false))
            {
                next = entry.Position + 1;
                if (ReadDown(entry) is { } down)
                {
                    OnDown(down);
                }
            }
        }, cancellationToken);
    }

    private NodeDownPayload? ReadDown(in LogEntry entry)
    {
        if (!AgentEventCodec.TryDecode(entry.Data.Span, _node.Options.EventLimits, null, out var e, out var error))
        {
            FleetLogMessages.RefusedDown(_logger, entry.Position, error!.ToString());
            return null;
        }
        if (!string.Equals(e!.Action, Actions.NodeDown, StringComparison.Ordinal))
        {
            return null;
        }
        if (_node.Verifier is { } verifier && !verifier.TryVerify(e, out _, out var refusal))
        {
            FleetLogMessages.RefusedDown(_logger, entry.Position, refusal!);
            return null;
        }
        try
        {
            var down = JsonSerializer.Deserialize(e.Payload.Span, FleetJson.Default.NodeDownPayload);
            if (down is null || string.IsNullOrEmpty(down.Node) || string.IsNullOrEmpty(down.By))
            {
                FleetLogMessages.RefusedDown(_logger, entry.Position, "a NODE_DOWN needs 'node', 'incarnation' and 'by'");
                return null;
            }
            return down;
        }
        catch (JsonException ex)
        {
            FleetLogMessages.RefusedDown(_logger, entry.Position, $"a NODE_DOWN's payload is malformed ({ex.Message})");
            return null;
        }
    }
}
