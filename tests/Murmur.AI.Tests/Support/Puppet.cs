using Murmur.Agents;
using Murmur.Topics;

namespace Murmur.AI.Tests.Support;

/// <summary>An agent that does nothing but hand its topic membership to the test, which publishes through it.</summary>
internal sealed class Puppet(TaskCompletionSource<TopicMember> member) : Agent
{
    public static async Task<TopicMember> JoinAsync(MurmurNode node, Topic topic, string id)
    {
        var member = new TaskCompletionSource<TopicMember>(TaskCreationOptions.RunContinuationsAsynchronously);
        await node.SpawnAsync(id, () => new Puppet(member), topic);
        return await member.Task.WaitAsync(TimeSpan.FromSeconds(30));
    }

    protected override ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        member.TrySetResult(Topics[0]);
        return ValueTask.CompletedTask;
    }
}
