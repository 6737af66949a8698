using System.Text;
using Murmur.AI.Approvals;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Security;

namespace Murmur.AI.Tests.Approvals;

/// <summary>The approvals topic is untrusted input: bad entries are refused with a reason and change nothing.</summary>
public sealed class ApprovalLedgerTests
{
    private static long _position;

    private static LogEntry Entry(string action, string payload, string actor = "alice", string? id = null)
    {
        var e = new AgentEvent(id ?? "e" + Interlocked.Increment(ref _position), actor, action, Encoding.UTF8.GetBytes(payload), VectorClock.Empty) { Timestamp = 1 };
        return new LogEntry(Interlocked.Increment(ref _position), e.EventId, AgentEventCodec.Encode(e));
    }

    private static ApprovalLedger WithRequest(ApprovalOptions? options = null)
    {
        var ledger = new ApprovalLedger(options ?? ApprovalOptions.Default, null);
        ledger.Apply(Entry(ApprovalActions.Requested, """{"call_id":"c1","topic":"t","tool":"deploy","args":{"env":"prod"},"reason":"prod"}""", "Worker"));
        return ledger;
    }

    [Fact]
    public void BadEntries_AreRefusedWithAReasonEach()
    {
        var ledger = WithRequest();
        ledger.Apply(new LogEntry(100, "bad", Encoding.UTF8.GetBytes("{not json")));
        ledger.Apply(Entry(ApprovalActions.Approved, """{"reason":"no call id"}"""));
        ledger.Apply(Entry(ApprovalActions.Approved, """{"call_id":"nope"}"""));
        ledger.Apply(Entry(ApprovalActions.Requested, """{"call_id":"c2"}"""));
        ledger.Apply(Entry("SOMETHING", """{"call_id":"c1"}"""));

        Assert.Equal(5, ledger.RefusedCount);
        Assert.Contains(ledger.Refused, r => r.Contains("position 100", StringComparison.Ordinal));
        Assert.Contains(ledger.Refused, r => r.Contains("no 'call_id'", StringComparison.Ordinal));
        Assert.Contains(ledger.Refused, r => r.Contains("no approval was requested for call 'nope'", StringComparison.Ordinal));
        Assert.Contains(ledger.Refused, r => r.Contains("needs 'tool' and 'topic'", StringComparison.Ordinal));
        Assert.Contains(ledger.Refused, r => r.Contains("not an approval action", StringComparison.Ordinal));
        Assert.Single(ledger.Pending);
    }

    [Fact]
    public void TheFirstDecisionInLogOrderStands_LaterOnesAreRefused()
    {
        var ledger = WithRequest();
        var first = ledger.Apply(Entry(ApprovalActions.Denied, """{"call_id":"c1","reason":"no"}""", "bob"));
        var second = ledger.Apply(Entry(ApprovalActions.Approved, """{"call_id":"c1"}""", "alice"));

        Assert.Equal(ApprovalOutcome.Denied, first!.Outcome);
        Assert.Null(second);
        Assert.Equal("bob", ledger.DecisionOf("c1")!.Principal);
        Assert.Contains(ledger.Refused, r => r.Contains("already decided (Denied by bob)", StringComparison.Ordinal));
        Assert.Empty(ledger.Pending);
    }

    [Fact]
    public void ARepeatedRequest_KeepsTheFirst()
    {
        var ledger = WithRequest();
        ledger.Apply(Entry(ApprovalActions.Requested, """{"call_id":"c1","topic":"t","tool":"other"}""", "Worker"));

        Assert.Equal("deploy", Assert.Single(ledger.Pending).Tool);
        Assert.Equal("prod", ledger.RequestOf("c1")!.Arguments.GetProperty("env").GetString());
    }

    [Fact]
    public void SignedDecisions_MustBeSignedByThePrincipalsNode_AndUnsignedOnesAreRefused()
    {
        var keys = new Dictionary<string, ReadOnlyMemory<byte>> { ["alice"] = new byte[32], ["bob"] = Enumerable.Repeat((byte)7, 32).ToArray() };
        var worker = new EventSigning { KeyId = "worker", Key = Enumerable.Repeat((byte)3, 32).ToArray(), TrustedKeys = keys };
        var ledger = new ApprovalLedger(ApprovalOptions.Default, new HmacEventSigner(worker));
        var asWorker = new HmacEventSigner(worker);
        LogEntry Signed(HmacEventSigner signer, string action, string payload, string actor)
        {
            var e = new AgentEvent("s" + Interlocked.Increment(ref _position), actor, action, Encoding.UTF8.GetBytes(payload), VectorClock.Empty);
            return new LogEntry(Interlocked.Increment(ref _position), e.EventId, AgentEventCodec.Encode(signer.Sign(e)));
        }
        var bob = new HmacEventSigner(new EventSigning { KeyId = "bob", Key = keys["bob"] });
        ledger.Apply(Signed(asWorker, ApprovalActions.Requested, """{"call_id":"c1","topic":"t","tool":"deploy"}""", "Worker"));
        ledger.Apply(Entry(ApprovalActions.Approved, """{"call_id":"c1"}""", "alice"));
        ledger.Apply(Signed(bob, ApprovalActions.Approved, """{"call_id":"c1"}""", "alice"));

        Assert.Null(ledger.DecisionOf("c1"));
        Assert.Equal(2, ledger.RefusedCount);
        Assert.Contains(ledger.Refused, r => r.Contains("decided as 'alice' but signed by node 'bob'", StringComparison.Ordinal));
        ledger.Apply(Signed(bob, ApprovalActions.Approved, """{"call_id":"c1"}""", "bob"));
        Assert.Equal("bob", ledger.DecisionOf("c1")!.Principal);
    }
}
