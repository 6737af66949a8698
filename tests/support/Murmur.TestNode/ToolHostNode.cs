using System.Text;
using System.Text.Json;
using Murmur;
using Murmur.AI.Events;
using Murmur.AI.Tools;
using Murmur.AI.Tools.Mesh;
using Murmur.Events;
using Murmur.Nats;

/// <summary>
/// A tool-mesh host in its own process, killed (SIGKILL, by itself) at a chosen point of a call:
/// <c>Murmur.TestNode tool-host &lt;nats-url&gt; &lt;stream&gt; &lt;node-id&gt; &lt;effects-file&gt; &lt;crash-at&gt;</c>, where crash-at is
/// <c>none</c>, <c>after-claim</c> (the call is claimed in the log, the effect not done), <c>after-effect</c> (the effect
/// is done and on disk, its TOOL_RESULT not appended) or <c>after-result</c> (the TOOL_RESULT is appended).
/// It serves the side-effecting tool <c>record_effect(id)</c>, which appends the id as a line to the effects file and
/// flushes it to disk. It prints <c>ready</c> when it serves; when its stdin closes it leaves the mesh, prints
/// <c>{"tool_runs":…,"unknown_outcomes":…,"duplicates":…}</c> and exits 0.
/// </summary>
internal static class ToolHostNode
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            Console.Error.WriteLine("usage: Murmur.TestNode tool-host <nats-url> <stream> <node-id> <effects-file> <none|after-claim|after-effect|after-result>");
            return 2;
        }
        var (url, stream, nodeId, effects, crashAt) = (args[0], args[1], args[2], args[3], args[4]);
        await using var node = await MurmurNode.StartAsync(o =>
        {
            o.UseNats(new NatsEventLogOptions { Url = url, StreamName = stream, SubjectPrefix = stream.ToLowerInvariant(), Replicas = 3 });
            o.Options = o.Options with { NodeId = nodeId };
        });
        node.Tools().AddSideEffecting(
            (string id) =>
            {
                if (crashAt == "after-claim")
                {
                    SelfKill.Now();
                }
                using (var file = new FileStream(effects, FileMode.Append, FileAccess.Write, FileShare.ReadWrite))
                {
                    file.Write(Encoding.UTF8.GetBytes(id + "\n"));
                    file.Flush(flushToDisk: true);
                }
                if (crashAt == "after-effect")
                {
                    SelfKill.Now();
                }
                return "recorded " + id;
            },
            "record_effect",
            "Records an effect with the given id (a side effect outside the log).");
        var mesh = await node.JoinToolMeshAsync();
        if (crashAt == "after-result")
        {
            var inbox = await node.OpenTopicAsync(ToolMesh.InboxTopicOf(nodeId));
            bool IsMyResult(AgentEvent e) => e.Action == AiActions.ToolResult && e.Actor == ToolMesh.MeshActorOf(nodeId);
            var earlier = inbox.History.Where(IsMyResult).Select(e => e.EventId).ToHashSet();
            _ = inbox.WaitForEventAsync(e => IsMyResult(e) && !earlier.Contains(e.EventId))
                .ContinueWith(_ => SelfKill.Now(), TaskScheduler.Default);
        }
        Console.WriteLine("ready");
        await Console.In.ReadToEndAsync();
        var stats = new { tool_runs = mesh.ToolRuns, unknown_outcomes = mesh.UnknownOutcomes, duplicates = mesh.DuplicateRequests };
        await mesh.DisposeAsync();
        Console.WriteLine(JsonSerializer.Serialize(stats));
        return 0;
    }

}
