using System.CommandLine;
using Murmur.Cli.Demo;
using Murmur.Cli.Mesh;
using Murmur.Configuration;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur task start "GOAL" --mode eventual|strict --log URL</c>: announces a task to the mesh.</summary>
internal sealed class TaskCommand : ICommand
{
    public Command Build()
    {
        var goal = new Argument<string>("GOAL") { Description = "what the agents should do (quote it)" }.RefusingOptions();
        var mode = new Option<string>("--mode") { HelpName = "M", Description = "eventual or strict", DefaultValueFactory = _ => "eventual" };
        mode.AcceptOnlyFromAmong("eventual", "strict");
        var researchers = Count("--researchers", "how many researcher agents the coder waits for", 1, 99, 1);
        var members = Count("--members", "strict topics: how many members must join before the first round closes", 1, 999, 3);
        var wait = new Option<int?>("--wait")
        {
            HelpName = "SECONDS",
            Description = "follow the task's topic, print its events, and return when the coder is done (default limit 120 s)",
            Arity = ArgumentArity.ZeroOrOne,
            CustomParser = r =>
            {
                if (r.Tokens.Count == 0)
                {
                    return 120;
                }
                if (int.TryParse(r.Tokens[0].Value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
                {
                    return seconds;
                }
                r.AddError($"--wait takes a whole number of seconds, or nothing; got '{r.Tokens[0].Value}' (give the goal before --wait).");
                return null;
            },
        };
        var start = new MurmurCommand("start", "announce a task; with --wait, follow it until the coder is done")
        {
            Details = $"""
                Appends a TASK event to the control topic '{TaskRequest.ControlTopic}'. Every 'murmur node' joins the task's
                topic (task-<id>) with the agents it hosts. Prints the task id and topic. With --sign-key the announcement is
                signed (nodes that require signatures ignore unsigned ones), and --wait shows only events whose signatures
                and actors check out; refused ones are warnings on stderr.

                {MeshOptions.Help}

                exit codes: 0 announced (and done, with --wait) / listed / deleted, 1 the log is unreachable, --wait timed
                out, or gc was refused, 2 usage error.
                """,
            Arguments = { goal },
            Options = { mode, researchers, members, wait },
        };
        var mesh = MeshOptions.AddTo(start);
        start.SetRun((parse, stdout, stderr) =>
        {
            var waitFor = parse.GetResult(wait) is null ? (TimeSpan?)null : TimeSpan.FromSeconds(parse.GetValue(wait) ?? 120);
            return Start(parse.GetValue(goal)!, parse.GetValue(mode)!, parse.GetValue(researchers), parse.GetValue(members), waitFor, mesh(parse), stdout, stderr);
        });
        return new MurmurCommand("task", "announce a task to the nodes of a mesh (and optionally wait for it); list tasks; delete finished ones")
        {
            Subcommands = { start, TaskMaintenance.BuildList(), TaskMaintenance.BuildGc() },
        };
    }

    private static Option<int> Count(string name, string description, int min, int max, int byDefault)
    {
        var option = new Option<int>(name) { HelpName = "N", Description = description, DefaultValueFactory = _ => byDefault };
        option.Check(v => v >= min && v <= max, _ => $"{name} takes a number from {min} to {max}.");
        return option;
    }

    private static int Start(string goal, string mode, int researchers, int members, TimeSpan? wait, MeshOptions mesh, TextWriter stdout, TextWriter stderr)
    {
        if (string.IsNullOrWhiteSpace(goal))
        {
            throw new UsageException("a goal is required: murmur task start \"GOAL\" --log URL.");
        }
        var setup = mesh.Resolve();
        return RunAsync(new TaskRequest(NewId(), goal, mode, string.Empty, researchers, members), setup, wait, stdout, stderr).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Follows the task's topic through a node — which validates each event and, with keys, checks its signature and
    /// that its actor belongs to the signing node — and prints what it delivers until the coder completes.
    /// </summary>
    private static async Task<bool> FollowAsync(IEventLog log, NodeSetup setup, TaskRequest task, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        await using var node = await MurmurNode.StartAsync(o =>
        {
            o.UseLog(log);
            o.Options = o.Options with
            {
                NodeId = setup.NodeId ?? $"cli-{Environment.MachineName}-{Environment.ProcessId}",
                Signing = setup.Signing,
                Runtime = o.Options.Runtime with { LoggerFactory = new WarningLoggerFactory("task", stderr) },
            };
        }, cancellationToken);
        var topic = await node.OpenTopicAsync(task.Topic, task.Consistency, new TopicOptions { MinMembers = Math.Max(1, task.Members) }, cancellationToken);
        await foreach (var e in topic.WatchAsync(cancellationToken))
        {
            stdout.WriteLine($"{e.Actor,-22} {e.Action,-18} {EventText.Describe(e)}");
            if (e.Action == Actions.TaskComplete && e.Actor.StartsWith("Coder", StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    private static string NewId() => Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4));

    private static async Task<int> RunAsync(TaskRequest request, NodeSetup setup, TimeSpan? wait, TextWriter stdout, TextWriter stderr)
    {
        var task = request with { Topic = $"task-{request.Task}" };
        IEventLog connected;
        try
        {
            connected = await setup.ConnectAsync();
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur task: {ex.Message}");
            return ExitCodes.Failed;
        }
        MeshOptions.WriteWarnings(setup, "task", stderr);
        await using (connected)
        {
            var announcement = task.ToEvent("task-" + task.Task, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
            using (var control = ControlSigning.Create(setup.Signing))
            {
                announcement = control?.Signer.Sign(announcement) ?? announcement;
            }
            var record = new LogRecord(announcement.EventId, AgentEventCodec.Encode(announcement));
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await connected.AppendAsync(TaskRequest.ControlTopic, record);
                    break;
                }
                catch (EventLogException ex) when (attempt < 5)
                {
                    // Same event id each time: the log keeps one copy. A fresh cluster may still be electing leaders.
                    stderr.WriteLine($"murmur task: append failed ({ex.Message}); retrying");
                    await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt));
                }
                catch (EventLogException ex)
                {
                    stderr.WriteLine($"murmur task: {ex.Message}");
                    return ExitCodes.Failed;
                }
            }
            stdout.WriteLine($"task {task.Task} ({task.Mode}) announced: topic {task.Topic}");
            if (wait is not { } limit)
            {
                return ExitCodes.Ok;
            }
            using var timeout = new CancellationTokenSource(limit);
            try
            {
                if (await FollowAsync(connected, setup, task, stdout, stderr, timeout.Token))
                {
                    stdout.WriteLine($"task {task.Task} done");
                    return ExitCodes.Ok;
                }
            }
            catch (OperationCanceledException)
            {
            }
            stderr.WriteLine($"murmur task: task {task.Task} was not done within {limit.TotalSeconds:0} s (are nodes with a coder, a reviewer and {task.Researchers} researcher(s) running?)");
            return ExitCodes.Failed;
        }
    }
}
