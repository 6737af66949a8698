using Murmur.AI.Agents;
using Murmur.AI.Events;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.Events;

namespace Murmur.AI.Tests.Agents;

/// <summary>LlmAgent on someone else's payloads: a FINDING that is not one (no summary, FINDING.json) is ignored.</summary>
public sealed class UntrustedPayloadTests
{
    [Fact]
    public async Task AFindingWithoutASummary_IsIgnored_AndAValidOneStartsOneTask()
    {
        await using var node = await MurmurNode.StartAsync();
        var topic = await node.OpenTopicAsync("findings");
        var model = new CountingModel(steps: 0);
        await node.SpawnAsync("Coder", () => new LlmAgent(model, node.Tools(), new LlmAgentOptions()), topic);
        var other = await Puppet.JoinAsync(node, topic, "Other");

        await other.PublishRawAsync(AiActions.Finding, "{\"path\":7,\"line\":\"x\"}"u8.ToArray());
        await other.PublishAsync(AiActions.Finding, new { summary = "auth_token in a log line" });
        await TopicWait.UntilAsync(topic, e => e.Actor == "Coder" && e.Action == Actions.TaskComplete);

        var conversation = Assert.Single(model.Seen);
        var text = string.Join("\n", conversation.Select(m => m.Text));
        Assert.Contains("auth_token in a log line", text, StringComparison.Ordinal);
        Assert.DoesNotContain("\"path\":7", text, StringComparison.Ordinal);
        Assert.False(node.Runtime.Completion.IsCompleted);
    }
}
