using System.Text.Json;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Security;

namespace Murmur.AI.Approvals;

/// <summary>
/// What the approvals topic says, read in log order: the requests, and for each the first decision by an authorized
/// principal. Every entry is untrusted input: one that does not decode, verify or make sense is refused with a
/// reason and changes nothing.
/// </summary>
/// <remarks>Not thread-safe: <see cref="ApprovalDesk"/> applies entries under its lock.</remarks>
internal sealed class ApprovalLedger(ApprovalOptions options, IEventVerifier? verifier)
{
    private const int MaxRefused = 256;
    private readonly Dictionary<string, ApprovalRequest> _requests = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ApprovalDecision> _decisions = new(StringComparer.Ordinal);
    private readonly Queue<string> _refused = new();

    /// <summary>The last position applied.</summary>
    public long Position { get; private set; }

    /// <summary>How many entries were refused in all.</summary>
    public long RefusedCount { get; private set; }

    /// <summary>The reasons of the latest refused entries (at most 256).</summary>
    public IReadOnlyList<string> Refused => [.. _refused];

    /// <summary>Requests without a decision, oldest first.</summary>
    public IReadOnlyList<ApprovalRequest> Pending
        => [.. _requests.Values.Where(r => !_decisions.ContainsKey(r.CallId)).OrderBy(r => r.RequestedAt).ThenBy(r => r.CallId, StringComparer.Ordinal)];

    public ApprovalRequest? RequestOf(string callId) => _requests.GetValueOrDefault(callId);

    public ApprovalDecision? DecisionOf(string callId) => _decisions.GetValueOrDefault(callId);

    /// <summary>Applies one entry; returns the decision it made, if it made one.</summary>
    public ApprovalDecision? Apply(LogEntry entry)
    {
        Position = Math.Max(Position, entry.Position);
        if (!AgentEventCodec.TryDecode(entry.Data.Span, null, null, out var e, out var error))
        {
            return Refuse(entry.Position, error.ToString());
        }
        string? keyId = null;
        if (verifier is not null && !verifier.TryVerify(e, out keyId, out var refusal))
        {
            return Refuse(entry.Position, refusal ?? "signature refused");
        }
        JsonElement payload;
        try
        {
            payload = e.GetPayload();
        }
        catch (JsonException ex)
        {
            return Refuse(entry.Position, $"{e.Action} {e.EventId}: payload is not JSON ({ex.Message})");
        }
        if (payload.ValueKind != JsonValueKind.Object || Text(payload, "call_id") is not { Length: > 0 } callId)
        {
            return Refuse(entry.Position, $"{e.Action} {e.EventId}: payload has no 'call_id' string");
        }
        return e.Action switch
        {
            ApprovalActions.Requested => AddRequest(entry.Position, e, callId, payload),
            ApprovalActions.Approved or ApprovalActions.Denied or ApprovalActions.Expired => Decide(entry.Position, e, keyId, callId, payload),
            _ => Refuse(entry.Position, $"{e.Action} {e.EventId}: not an approval action"),
        };
    }

    private ApprovalDecision? AddRequest(long position, AgentEvent e, string callId, JsonElement payload)
    {
        if (Text(payload, "tool") is not { Length: > 0 } tool || Text(payload, "topic") is not { Length: > 0 } topic)
        {
            return Refuse(position, $"{e.Action} {e.EventId}: payload needs 'tool' and 'topic' strings");
        }
        var args = payload.TryGetProperty("args", out var a) && a.ValueKind == JsonValueKind.Object ? a.Clone() : JsonDocument.Parse("{}").RootElement.Clone();
        long? expires = payload.TryGetProperty("expires_at", out var x) && x.TryGetInt64(out var at) ? at : null;
        // A resumed agent may ask again: the first request stands.
        _requests.TryAdd(callId, new ApprovalRequest(callId, topic, e.Actor, tool, args, Text(payload, "reason") ?? "approval required", e.Timestamp ?? 0, expires));
        return null;
    }

    private ApprovalDecision? Decide(long position, AgentEvent e, string? keyId, string callId, JsonElement payload)
    {
        if (keyId is not null && !string.Equals(EventSigning.NodeOf(keyId), e.Actor, StringComparison.Ordinal))
        {
            return Refuse(position, $"{e.Action} {e.EventId}: decided as '{e.Actor}' but signed by node '{EventSigning.NodeOf(keyId)}'");
        }
        if (!_requests.TryGetValue(callId, out _))
        {
            return Refuse(position, $"{e.Action} {e.EventId}: no approval was requested for call '{callId}'");
        }
        if (e.Action != ApprovalActions.Expired && !options.MayDecide(e.Actor))
        {
            return Refuse(position, $"{e.Action} {e.EventId}: '{e.Actor}' is not an approver");
        }
        if (_decisions.TryGetValue(callId, out var first))
        {
            return Refuse(position, $"{e.Action} {e.EventId}: call '{callId}' was already decided ({first.Outcome} by {first.Principal})");
        }
        var outcome = e.Action switch
        {
            ApprovalActions.Approved => ApprovalOutcome.Approved,
            ApprovalActions.Denied => ApprovalOutcome.Denied,
            _ => ApprovalOutcome.Expired,
        };
        var decision = new ApprovalDecision(callId, outcome, e.Actor, Text(payload, "reason"));
        _decisions[callId] = decision;
        return decision;
    }

    private ApprovalDecision? Refuse(long position, string reason)
    {
        RefusedCount++;
        _refused.Enqueue($"{ApprovalDesk.LogTopic} position {position}: {reason}");
        if (_refused.Count > MaxRefused)
        {
            _refused.Dequeue();
        }
        return null;
    }

    private static string? Text(JsonElement payload, string name)
        => payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
