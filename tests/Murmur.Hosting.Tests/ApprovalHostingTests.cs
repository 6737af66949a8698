using Microsoft.Extensions.DependencyInjection;
using Murmur.AI.Agents;
using Murmur.AI.Approvals;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.Events;

namespace Murmur.Hosting.Tests;

/// <summary>Approvals from the hosting API: a hosted LlmAgent waits on the node's desk; the application decides.</summary>
public sealed class ApprovalHostingTests
{
    private static readonly TimeSpan Patience = HostBuilding.Patience;

    [Fact]
    public async Task AHostedAgentWaitsOnTheNodesDesk_AndTheApplicationDeniesTheCall()
    {
        var restarts = 0;
        var tools = new ToolRegistry().AddSideEffecting((string name) => $"restarted {name} ({Interlocked.Increment(ref restarts)})", "restart_service");
        using var host = HostBuilding.Build(new() { ["Murmur:NodeId"] = "ops-node" }, m => m
            .UseInMemoryLog()
            .AddApprovals(new ApprovalOptions { Approvers = ["ops-node"] })
            .AddAgent("Operator", "ops", services => new LlmAgent(new OneCallModel("restart_service", new() { ["name"] = "api" }), tools, new LlmAgentOptions
            {
                Goal = "restart the api",
                AllowedTools = ["restart_service"],
                EnableReportFinding = false,
                RequireApproval = ["restart_service"],
                Approvals = services.GetRequiredService<MurmurApprovals>().Desk,
            })));
        await host.StartAsync().WaitAsync(Patience);
        var approvals = host.Services.GetRequiredService<MurmurApprovals>();
        var topic = host.Services.GetRequiredService<MurmurNodeAccessor>().GetTopic("ops");
        var requested = await topic.WaitForEventAsync(e => e.Action == ApprovalActions.Requested).WaitAsync(Patience);
        var callId = requested.GetPayload().GetProperty("call_id").GetString()!;
        await approvals.Desk.WaitForRequestAsync(callId).WaitAsync(Patience);

        var pending = Assert.Single(approvals.Pending);
        Assert.Equal("restart_service", pending.Tool);
        var decision = await approvals.DenyAsync(callId, "maintenance window is tomorrow").WaitAsync(Patience);
        var done = await topic.WaitForEventAsync(e => e.Action == Actions.TaskComplete).WaitAsync(Patience);

        Assert.Equal(ApprovalOutcome.Denied, decision.Outcome);
        Assert.Equal("ops-node", decision.Principal);
        Assert.Equal(0, restarts);
        Assert.Contains("maintenance window is tomorrow", done.GetPayload().GetProperty("summary").GetString(), StringComparison.Ordinal);
        await host.StopAsync().WaitAsync(Patience);
        Assert.Throws<InvalidOperationException>(() => approvals.Desk);
    }
}
