using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Mcp.Tests.Support;
using Murmur.Topics;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// A client in another language (Node.js with the official <c>nats</c> package, tests/npm/foreign-client.mjs, written
/// from docs/protocol.md) joins a topic over the cluster, talks with a C# agent, and sends hostile events: the node
/// survives, nothing is redone, and every refused event is reported back to the client with its reason.
/// </summary>
public sealed class ForeignClientTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);

    /// <summary>Answers every MESSAGE from another actor with a pong (causally after it); records what it was handed.</summary>
    private sealed class Echo(ConcurrentQueue<string> handled) : Agent
    {
        protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            if (view.IsReplay)
            {
                return;
            }
            foreach (var e in view.FromOthers.ToList())
            {
                handled.Enqueue(e.EventId);
                if (e.Action == Actions.Message)
                {
                    await view.PublishAsync(Actions.Message, new { text = "pong", in_reply_to = e.EventId, to = e.Actor }, cancellationToken: cancellationToken);
                }
                else if (e.Action == AiActions.Finding && !Finding.TryRead(e, out _))
                {
                    await view.PublishAsync(Actions.Message, new { text = "not a finding: it needs a summary", in_reply_to = e.EventId, to = e.Actor }, cancellationToken: cancellationToken);
                }
            }
        }
    }

    [Fact]
    public async Task ANodeJsClient_JoinsFromTheSpec_TalksCausally_AndLearnsWhyItsHostileEventsWereRefused()
    {
        var stream = "FOREIGN" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        var prefix = stream.ToLowerInvariant();
        const string Topic = "foreign-task";
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var handled = new ConcurrentQueue<string>();
        await using var node = await MurmurNode.StartAsync(o =>
        {
            o.UseNats(new NatsEventLogOptions { Url = NatsCluster.Url, StreamName = stream, SubjectPrefix = prefix, Replicas = 3, RequestTimeout = TimeSpan.FromSeconds(10) });
            o.Options = o.Options with { NodeId = "cs", Runtime = o.Options.Runtime with { TimeProvider = time } };
        });
        var topic = await node.OpenTopicAsync(Topic);
        await node.SpawnAsync("Echo", () => new Echo(handled), topic);

        var lines = new BlockingCollection<string>();
        var errors = new ConcurrentQueue<string>();
        using var client = Process.Start(new ProcessStartInfo(Npm.Node, [Path.Combine(Npm.Folder, "foreign-client.mjs"), NatsCluster.Url, stream, prefix, Topic, "JS_Client"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Npm.Folder,
        })!;
        client.OutputDataReceived += (_, e) => { if (e.Data is { } line) { lines.Add(line); } };
        client.ErrorDataReceived += (_, e) => { if (e.Data is { } line) { errors.Enqueue(line); } };
        client.BeginOutputReadLine();
        client.BeginErrorReadLine();
        try
        {
            using (var cts = new CancellationTokenSource(Patience))
            {
                Assert.Equal("HOSTILE_SENT", lines.Take(cts.Token));
            }
            // Three hostile events wait for causes that never come; past the grace period the node gives them up.
            await topic.CatchUpAsync().WaitAsync(Patience);
            Assert.Equal(3, topic.Buffer.Held);
            time.Advance(TimeSpan.FromSeconds(31));
            Assert.True(client.WaitForExit(Patience), "the client did not finish");
            client.WaitForExit();
            Assert.True(client.ExitCode == 0, $"client failed: {string.Join("\n", errors)}\n{string.Join("\n", lines)}");
        }
        finally
        {
            if (!client.HasExited)
            {
                client.Kill(entireProcessTree: true);
            }
        }

        var summary = JsonDocument.Parse(lines.Last()).RootElement;
        var reasons = summary.GetProperty("reasons");
        string Reason(string name) => reasons.GetProperty(summary.GetProperty("hostile").GetProperty(name).GetString()!).GetString()!;
        Assert.Contains("past its delivered entry", Reason("own-jump"), StringComparison.Ordinal);
        Assert.Contains("of 'Echo'", Reason("other-jump"), StringComparison.Ordinal);
        Assert.Contains("no member has joined there", Reason("tail"), StringComparison.Ordinal);
        Assert.Contains("NotCanonical", Reason("zeros"), StringComparison.Ordinal);
        Assert.Contains("'Nobody_Joined' is not a roster member", Reason("nobody"), StringComparison.Ordinal);
        Assert.Contains("unknown field 'colour'", Reason("malformed"), StringComparison.Ordinal);
        Assert.Contains("Conflict", Reason("conflict"), StringComparison.Ordinal);

        // The client's roster agrees with the node's, its pong followed its ping causally, and nothing was redone.
        Assert.Equal(topic.Roster.Members, summary.GetProperty("roster").EnumerateArray().Select(e => e.GetString()));
        var index = summary.GetProperty("index").GetInt32();
        Assert.True(summary.GetProperty("pongClock")[index].GetUInt64() >= 2, "the pong counts the ping");
        var handledIds = handled.ToList();
        foreach (var id in new[] { "JS_Client-ping", "JS_Client-thanks", "JS_Client-finding" })
        {
            Assert.Equal(1, handledIds.Count(h => h == id));
        }
        Assert.Equal(2, topic.History.Count(e => e.Actor == "Echo" && e.Action == Actions.Message));
        Assert.False(node.Runtime.Completion.IsCompleted);
        Assert.Equal(0, topic.Buffer.Held);
        Assert.Equal(7, node.DeadLetters.Items.Count(d => d.Topic == Topic));
    }
}
