using Murmur;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;

// Two agents gossip over one topic on the embedded in-memory log: a researcher reports findings,
// a coder reacts to each finding as soon as it arrives (before the researcher says it is done).
// Actions are open strings: FINDING and PROPOSAL are the essay's (Murmur.AI names them in AiActions).
await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
var topic = await node.OpenTopicAsync("fix-auth-token", Consistency.Eventual);
var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

await node.SpawnAsync("Coder_Agent_1", () => new Coder(done), topic);
await node.SpawnAsync("Researcher_Agent_3", () => new Researcher(), topic);
await done.Task.WaitAsync(TimeSpan.FromSeconds(30));

foreach (var e in topic.History)
{
    Console.WriteLine(e);
}

internal sealed class Researcher : Agent
{
    protected override async ValueTask OnStartedAsync(CancellationToken cancellationToken)
    {
        foreach (var file in new[] { "src/api/login.py", "src/web/session.ts" })
        {
            await Topics[0].PublishAsync("FINDING", new { file, issue = "auth_token logged in clear text" }, cancellationToken: cancellationToken);
        }
        await Topics[0].PublishAsync(Actions.TaskComplete, new { summary = "2 unsafe uses" }, cancellationToken: cancellationToken);
    }
}

internal sealed class Coder(TaskCompletionSource done) : Agent
{
    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        foreach (var e in view.FromOthers)
        {
            if (e.Action == "FINDING")
            {
                var file = e.GetPayload().GetProperty("file").GetString();
                await view.PublishAsync("PROPOSAL", new { file, patch = "redact auth_token before logging" }, dependsOn: [e.EventId], cancellationToken: cancellationToken);
            }
            else if (e.Action == Actions.TaskComplete)
            {
                done.TrySetResult();
            }
        }
    }
}
