using System.Text.Json;
using Murmur;
using Murmur.Agents;
using Murmur.Nats;

// A node in its own OS process, for the two-process and process-kill tests.
// Murmur.TestNode tool-host … : see ToolHostNode; Murmur.TestNode agent … : see AgentNode; Murmur.TestNode forge … : see Forger.
// Murmur.TestNode <nats-url> <stream> <topic> <agent> <publish-count> <expect-delivered>
// Joins the topic, publishes, waits until the topic delivered the expected number of events, and prints
// {"agent":…,"roster":[…],"history":[[event_id,clock…]…]} on one line.
if (args.Length > 0 && args[0] == "tool-host")
{
    return await ToolHostNode.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "agent")
{
    return await AgentNode.RunAsync(args[1..]);
}
if (args.Length > 0 && args[0] == "forge")
{
    return await Forger.RunAsync(args[1..]);
}
if (args.Length != 6)
{
    Console.Error.WriteLine("usage: Murmur.TestNode <nats-url> <stream> <topic> <agent> <publish-count> <expect-delivered>");
    return 2;
}
var (url, stream, topicName, agentName) = (args[0], args[1], args[2], args[3]);
var count = int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture);
var expect = int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture);
await using var node = await MurmurNode.StartAsync(o =>
{
    o.UseNats(new NatsEventLogOptions { Url = url, StreamName = stream, SubjectPrefix = stream.ToLowerInvariant(), Replicas = 3 });
    o.Options = o.Options with { NodeId = $"process-{Environment.ProcessId}" };
});
var topic = await node.OpenTopicAsync(topicName);
var agent = await node.SpawnAsync(agentName, () => new Publisher(), topic);
await node.Runtime.AskAsync<int>(agent, count, TimeSpan.FromMinutes(2));
await topic.WaitForDeliveredAsync(expect).WaitAsync(TimeSpan.FromMinutes(2));
var history = topic.History.Select(e => new object[] { e.EventId, e.Clock.ToString() }).ToList();
Console.WriteLine(JsonSerializer.Serialize(new { agent = agentName, roster = topic.Roster.Members, history }));
return 0;

internal sealed class Publisher : Agent
{
    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is int count)
        {
            for (var i = 0; i < count; i++)
            {
                await Topics[0].PublishAsync("say", new { i }, cancellationToken: cancellationToken);
            }
            Context.Reply(count);
        }
    }
}
