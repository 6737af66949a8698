using Murmur.Cli.Demo;
using Murmur.Cli.Mesh;
using Murmur.Configuration;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur task start "GOAL" --mode eventual|strict --log URL</c>: announces a task to the mesh.</summary>
internal sealed class TaskCommand : ICommand
{
    public string Name => "task";

    public string Summary => "announce a task to the nodes of a mesh (and optionally wait for it); list tasks; delete finished ones";

    public string Usage => $"""
        usage: murmur task start "GOAL" --log URL [--mode eventual|strict] [--researchers N] [--members N] [--wait [SECONDS]]

        Appends a TASK event to the control topic '{TaskRequest.ControlTopic}'. Every 'murmur node' joins the task's
        topic (task-<id>) with the agents it hosts. Prints the task id and topic. With --sign-key the announcement is
        signed (nodes that require signatures ignore unsigned ones), and --wait shows only events whose signatures
        and actors check out; refused ones are warnings on stderr.

        options:
          --mode M           eventual (default) or strict
          --researchers N    how many researcher agents the coder waits for (default 1)
          --members N        strict topics: how many members must join before the first round closes (default 3)
          --wait [SECONDS]   follow the task's topic, print its events, and return when the coder is done
                             (default limit 120 s)
          -h, --help         print this help.

        {MeshOptions.Help}

        {TaskMaintenance.Usage}

        exit codes: 0 announced (and done, with --wait) / listed / deleted, 1 the log is unreachable, --wait timed
        out, or gc was refused, 2 usage error.

        """;

    public int Run(IReadOnlyList<string> args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Count > 0 && args[0] is "list" or "gc")
        {
            return TaskMaintenance.Run(args, stdout, stderr);
        }
        if (args.Count == 0 || args[0] != "start")
        {
            throw new UsageException("use 'task start', 'task list' or 'task gc'.");
        }
        string? goal = null;
        var mesh = new MeshOptions();
        var mode = "eventual";
        int researchers = 1, members = 3;
        TimeSpan? wait = null;
        for (var i = 1; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new UsageException($"'{args[i]}' needs a value.");
            switch (args[i])
            {
                case "--mode": mode = Value() is "eventual" or "strict" ? args[i] : throw new UsageException($"unknown mode '{args[i]}'; use eventual or strict."); break;
                case "--researchers": researchers = int.TryParse(Value(), out var r) && r is > 0 and < 100 ? r : throw new UsageException("--researchers takes a number from 1 to 99."); break;
                case "--members": members = int.TryParse(Value(), out var m) && m is > 0 and < 1000 ? m : throw new UsageException("--members takes a number from 1 to 999."); break;
                case "--wait":
                    if (i + 1 < args.Count && int.TryParse(args[i + 1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var seconds))
                    {
                        i++;
                        wait = TimeSpan.FromSeconds(seconds);
                    }
                    else
                    {
                        wait = TimeSpan.FromSeconds(120);
                    }
                    break;
                case var a when a.StartsWith("--", StringComparison.Ordinal):
                    if (!mesh.TryRead(args, ref i))
                    {
                        throw new UsageException($"unknown option '{a}'.");
                    }
                    break;
                default: goal = goal is null ? args[i] : throw new UsageException($"unexpected argument '{args[i]}' (quote the goal)."); break;
            }
        }
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
