using System.CommandLine;
using Murmur.Cli.Mesh;
using Murmur.Configuration;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur log tail|dead-letters --topic T --log URL</c>: read a topic of the shared log.</summary>
internal sealed class LogCommand : ICommand
{
    public Command Build()
    {
        var action = new Argument<string>("ACTION") { Description = "tail or dead-letters" }.RefusingOptions();
        action.AcceptOnlyFromAmong("tail", "dead-letters");
        var topic = new Option<string>("--topic") { HelpName = "T", Description = "the topic", Required = true };
        var from = new Option<long>("--from") { HelpName = "N", Description = "tail: the first position to print", DefaultValueFactory = _ => 1 };
        from.Check(v => v >= 1, _ => "--from takes a position from 1.");
        var noFollow = new Option<bool>("--no-follow") { Description = "tail: stop at the topic's current end instead of following it" };
        var command = new MurmurCommand("log", "follow a topic of the shared log, or list the events a node would refuse, with reasons")
        {
            Details = $"""
                tail           prints the topic's events, one JSON envelope per line, from position N (default 1), and
                               keeps following until interrupted; --no-follow stops at the current end. Entries that are
                               not valid events are reported on stderr with the reason.
                dead-letters   reads the topic to its end and lists, as JSON lines, every entry a node would refuse —
                               malformed, oversized, conflicting or causally impossible, and with --sign-key/--trust-keys
                               unsigned, forged or spoofed — with its position and reason.

                {MeshOptions.Help}

                exit codes: 0 done, 1 the log is unreachable, 2 usage error.
                """,
        };
        command.Arguments.Add(action);
        command.Options.Add(topic);
        command.Options.Add(from);
        command.Options.Add(noFollow);
        var mesh = MeshOptions.AddTo(command);
        command.SetRun((parse, stdout, stderr) => Run(parse.GetValue(action)!, parse.GetValue(topic)!, parse.GetValue(from), !parse.GetValue(noFollow), mesh(parse), stdout, stderr));
        return command;
    }

    private static int Run(string action, string topic, long from, bool follow, MeshOptions mesh, TextWriter stdout, TextWriter stderr)
    {
        var setup = mesh.Resolve();
        if (TopicName.Check(topic) is { } bad)
        {
            throw new UsageException($"--topic '{topic}' is invalid: {bad}.");
        }
        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        return action == "tail"
            ? TailAsync(setup, topic, from, follow, stdout, stderr, stop.Token).GetAwaiter().GetResult()
            : DeadLettersAsync(setup, topic, stdout, stderr).GetAwaiter().GetResult();
    }

    private static async Task<int> TailAsync(NodeSetup setup, string topic, long from, bool follow, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        try
        {
            await using var connected = await setup.ConnectAsync(cancellationToken: cancellationToken);
            MeshOptions.WriteWarnings(setup, "log", stderr);
            await foreach (var entry in connected.ReadAsync(topic, from, follow, cancellationToken))
            {
                if (AgentEventCodec.TryDecode(entry.Data.Span, null, null, out var e, out var error))
                {
                    stdout.WriteLine(e!.ToString());
                }
                else
                {
                    stderr.WriteLine($"position {entry.Position}: not a valid event: {error}");
                }
            }
            return ExitCodes.Ok;
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return ExitCodes.Ok;
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur log: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Replays the topic through a node (in memory, with this node's keys) and lists what it refused.</summary>
    private static async Task<int> DeadLettersAsync(NodeSetup setup, string topic, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            await using var connected = await setup.ConnectAsync();
            MeshOptions.WriteWarnings(setup, "log", stderr);
            await using var node = await MurmurNode.StartAsync(o =>
            {
                o.UseLog(connected);
                o.Options = o.Options with { NodeId = setup.NodeId ?? o.Options.NodeId, Signing = setup.Signing };
            });
            var followed = await node.OpenTopicAsync(topic);
            // The whole topic is read: what still waits for its causes never gets them (undeliverable).
            await followed.CatchUpAsync();
            followed.GiveUpWaitingEvents();
            foreach (var dead in node.DeadLetters.Items.Where(d => d.Topic == topic))
            {
                stdout.WriteLine(System.Text.Json.JsonSerializer.Serialize(new { position = dead.Position, event_id = dead.EventId, reason = dead.Reason, excerpt = dead.Excerpt }));
            }
            stderr.WriteLine($"{node.DeadLetters.Count} refused, {followed.DeliveredCount} delivered in topic {topic}");
            return ExitCodes.Ok;
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur log: {ex.Message}");
            return ExitCodes.Failed;
        }
    }
}
