using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Reliability;

public sealed class HistoryCheckerTests
{
    private static AgentEvent E(string id, string actor, string action, params ulong[] clock)
        => new(id, actor, action, "{}"u8.ToArray(), VectorClock.FromEntries(clock));

    private static readonly AgentEvent JoinA = E("ja", "A", "JOIN", 1);
    private static readonly AgentEvent JoinB = E("jb", "B", "JOIN", 0, 1);
    private static readonly AgentEvent A2 = E("a2", "A", "m", 2, 0);
    private static readonly AgentEvent B2 = E("b2", "B", "m", 2, 2);

    [Fact]
    public void ACorrectHistory_HasNoViolations()
    {
        var report = HistoryChecker.Check(["ja", "jb", "a2", "b2"],
            new Dictionary<string, IReadOnlyList<AgentEvent>> { ["n1"] = [JoinA, JoinB, A2, B2], ["n2"] = [JoinA, A2, JoinB, B2] },
            new Dictionary<string, int> { ["a2"] = 1 });
        Assert.True(report.IsValid, report.ToString());
    }

    [Fact]
    public void EveryKindOfViolation_IsReported()
    {
        var a4 = E("a4", "A", "m", 4, 0); // A's entry jumps from 2 to 4: a gap
        var report = HistoryChecker.Check(["ja", "jb", "a2", "b2", "lost1"],
            new Dictionary<string, IReadOnlyList<AgentEvent>> { ["n1"] = [JoinA, JoinB, B2, A2, A2, a4] },
            new Dictionary<string, int> { ["a2"] = 2 });
        var text = report.ToString();
        Assert.Contains("lost: node n1 never delivered acknowledged event lost1", text, StringComparison.Ordinal);
        Assert.Contains("duplicate: node n1 delivered a2 twice", text, StringComparison.Ordinal);
        Assert.Contains("causality: node n1 delivered a2", text, StringComparison.Ordinal);
        Assert.Contains("(gap)", text, StringComparison.Ordinal);
        Assert.Contains("(repeat)", text, StringComparison.Ordinal);
        Assert.Contains("effect: the side effect of a2 ran 2 times", text, StringComparison.Ordinal);
        Assert.Equal(1, report.Lost);
        Assert.Equal(1, report.Duplicated);
    }

    [Fact]
    public void TwoLiveOwnersOfOneAgent_AreReported_ButARejoinAfterLeavingIsNot()
    {
        static AgentEvent Join(string id, string actor, string node) => new(id, actor, "JOIN", System.Text.Encoding.UTF8.GetBytes($"{{\"node\":\"{node}\"}}"), VectorClock.FromEntries(1));
        var leave = E("la", "A", "LEAVE", 2);

        var split = HistoryChecker.Check([], new Dictionary<string, IReadOnlyList<AgentEvent>> { ["n1"] = [Join("j1", "A", "n1"), Join("j2", "A", "n2")] }, new Dictionary<string, int>());
        var moved = HistoryChecker.Check([], new Dictionary<string, IReadOnlyList<AgentEvent>> { ["n1"] = [Join("j1", "A", "n1"), leave, Join("j3", "A", "n2")] }, new Dictionary<string, int>());

        Assert.Contains("owner: node n1 delivered JOINs of A from node n1 and from node n2 (two live owners)", split.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("owner:", moved.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void OneOwnerPerEpoch_AZombieEventAfterATakeover_AndTwoOwnersOfAnEpoch_AreViolations()
    {
        var a3 = new AgentEvent("a3", "A", "m", "{}"u8.ToArray(), VectorClock.FromEntries(3, 0)) { Epoch = 2 };
        var zombie = E("a4", "A", "m", 4, 0); // epoch 1 again, after epoch 2
        var fine = HistoryChecker.Check([], new Dictionary<string, IReadOnlyList<AgentEvent>> { ["n1"] = [JoinA, A2, a3] }, new Dictionary<string, int>(),
            new Dictionary<string, IReadOnlyDictionary<(string, ulong), string>> { ["n1"] = new Dictionary<(string, ulong), string> { [("A", 2)] = "n2" }, ["n2"] = new Dictionary<(string, ulong), string> { [("A", 2)] = "n2" } });
        var late = HistoryChecker.Check([], new Dictionary<string, IReadOnlyList<AgentEvent>> { ["n1"] = [JoinA, A2, a3, zombie] }, new Dictionary<string, int>());
        var split = HistoryChecker.Check([], new Dictionary<string, IReadOnlyList<AgentEvent>>(), new Dictionary<string, int>(),
            new Dictionary<string, IReadOnlyDictionary<(string, ulong), string>> { ["n1"] = new Dictionary<(string, ulong), string> { [("A", 2)] = "n2" }, ["n3"] = new Dictionary<(string, ulong), string> { [("A", 2)] = "n3" } });

        Assert.True(fine.IsValid, fine.ToString());
        Assert.Contains("epoch: node n1 delivered a4 of A at epoch 1 after one at epoch 2", late.ToString(), StringComparison.Ordinal);
        Assert.Contains("epoch owner: A at epoch 2 is owned by n2 for node n1 but by n3 for node n3", split.ToString(), StringComparison.Ordinal);
    }
}
