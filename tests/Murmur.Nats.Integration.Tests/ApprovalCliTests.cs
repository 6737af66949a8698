using Murmur.AI.Agents;
using Murmur.AI.Approvals;
using Murmur.AI.Events;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.Events;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// Approvals over NATS as a person gives them: an agent on a node waits for approval of a tool call, and
/// `murmur approvals` / `murmur approve` processes list and decide it.
/// </summary>
public sealed class ApprovalCliTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(1);

    [Fact]
    public async Task ApprovalsListsTheWaitingCall_AndApproveFromAnotherProcessRunsItOnce()
    {
        var id = Guid.NewGuid().ToString("N")[..8];
        var approver = $"ops-{id}";
        var deployed = 0;
        await using var node = await MurmurNode.StartAsync(o =>
        {
            o.UseNats(new NatsEventLogOptions { Url = NatsCluster.Url });
            o.Options = o.Options with { NodeId = $"approvals-{id}" };
        });
        await using var desk = await node.StartApprovalDeskAsync(new ApprovalOptions { Approvers = [approver] });
        node.Tools().AddSideEffecting((string env) => $"deployed to {env} ({Interlocked.Increment(ref deployed)})", "deploy");
        var topic = await node.OpenTopicAsync($"approve-{id}");
        await node.SpawnAsync($"Deployer_{id}", () => new LlmAgent(new OneCallModel("deploy", new() { ["env"] = "prod" }), node.Tools(), new LlmAgentOptions
        {
            Goal = "deploy",
            AllowedTools = ["deploy"],
            EnableReportFinding = false,
            Approvals = desk,
            RequireApproval = ["deploy"],
        }), topic);
        using var patience = new CancellationTokenSource(Patience);
        var requested = await topic.WaitForEventAsync(e => e.Action == ApprovalActions.Requested, patience.Token);
        var callId = requested.GetPayload().GetProperty("call_id").GetString()!;
        await desk.WaitForRequestAsync(callId, patience.Token);

        using (var list = OutputProcess.Murmur("approvals", "--log", NatsCluster.Url))
        {
            Assert.Equal(0, await list.WaitForExitAsync(Patience));
            var line = Assert.Single(list.Lines, l => l.StartsWith(callId, StringComparison.Ordinal));
            Assert.Contains($"Deployer_{id} in approve-{id}: deploy {{\"env\":\"prod\"}}", line, StringComparison.Ordinal);
            Assert.Contains("requires approval", line, StringComparison.Ordinal);
        }
        Assert.Equal(0, deployed);

        using (var approve = OutputProcess.Murmur("approve", callId, "--log", NatsCluster.Url, "--as", approver, "--reason", "change ticket 42"))
        {
            Assert.True(await approve.WaitForExitAsync(Patience) == 0, approve.Output);
            Assert.Contains($"{callId}: approved by {approver}: change ticket 42", approve.Output, StringComparison.Ordinal);
        }
        var result = await topic.WaitForEventAsync(e => e.Action == AiActions.ToolResult, patience.Token);
        await topic.WaitForEventAsync(e => e.Action == Actions.TaskComplete, patience.Token);

        Assert.Equal(1, deployed);
        Assert.Equal("deployed to prod (1)", result.GetPayload().GetProperty("result").GetString());
        using (var again = OutputProcess.Murmur("deny", callId, "--log", NatsCluster.Url, "--as", approver, "--reason", "too late"))
        {
            Assert.Equal(1, await again.WaitForExitAsync(Patience));
            Assert.Contains("already decided: Approved by " + approver, again.Output, StringComparison.Ordinal);
        }
    }
}
