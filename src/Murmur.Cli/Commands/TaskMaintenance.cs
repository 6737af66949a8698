using System.CommandLine;
using Murmur.Cli.Mesh;
using Murmur.Configuration;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur task list</c> and <c>murmur task gc</c>: what the mesh's tasks hold in the log, and deleting finished ones.</summary>
internal static class TaskMaintenance
{
    /// <summary><c>task list</c>: every task announced on the mesh with its state.</summary>
    public static Command BuildList()
    {
        var list = new MurmurCommand("list", "print every task announced on the mesh with its state: running, done or empty")
        {
            Details = $"""
                list prints every task announced on the mesh with its state: running, done (a coder completed, or every
                member did), or empty (its topic holds nothing: deleted, or no node joined it).

                {MeshOptions.Help}
                """,
        };
        var mesh = MeshOptions.AddTo(list);
        list.SetRun((parse, stdout, stderr) => ListAsync(mesh(parse).Resolve(), stdout, stderr).GetAwaiter().GetResult());
        return list;
    }

    /// <summary><c>task gc</c>: deletes finished tasks from the log.</summary>
    public static Command BuildGc()
    {
        var keep = new Option<int>("--keep") { HelpName = "N", Description = "keep the N most recently announced done tasks", DefaultValueFactory = _ => 0 };
        keep.Check(v => v >= 0, _ => "--keep takes a number of tasks from 0.");
        var tasks = new Option<string[]>("--task") { HelpName = "ID", Description = "delete only these tasks (repeatable); a running one is refused" };
        var dryRun = new Option<bool>("--dry-run") { Description = "print what would be deleted, delete nothing" };
        var gc = new MurmurCommand("gc", "delete finished tasks from the log (never running ones)")
        {
            Details = $"""
                gc deletes finished tasks from the log: each done task's topic, and its members' snapshots and nodes'
                checkpoints. Running tasks are never deleted. The announcements stay on the control topic (a few hundred
                bytes each), so 'task list' still shows what was deleted, as empty.

                {MeshOptions.Help}
                """,
            Options = { keep, tasks, dryRun },
        };
        var mesh = MeshOptions.AddTo(gc);
        gc.SetRun((parse, stdout, stderr) => GcAsync(
            mesh(parse).Resolve(),
            parse.GetValue(keep),
            new HashSet<string>(parse.GetValue(tasks) ?? [], StringComparer.Ordinal),
            parse.GetValue(dryRun),
            stdout,
            stderr).GetAwaiter().GetResult());
        return gc;
    }

    private static async Task<int> ListAsync(NodeSetup setup, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            await using var log = await setup.ConnectAsync();
            var tasks = await TaskCatalog.ReadAsync(log, EventLimits.Default, CancellationToken.None);
            stdout.WriteLine($"{"TASK",-10} {"STATE",-8} {"MODE",-9} {"EVENTS",7} {"MEMBERS",7}  GOAL");
            foreach (var t in tasks)
            {
                stdout.WriteLine($"{t.Request.Task,-10} {t.State,-8} {t.Request.Mode,-9} {t.Events,7} {t.Members.Count,7}  {t.Request.Goal}");
            }
            stdout.WriteLine($"{tasks.Count} task(s): {tasks.Count(t => t.State == "running")} running, {tasks.Count(t => t.State == "done")} done, {tasks.Count(t => t.State == "empty")} empty");
            return ExitCodes.Ok;
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur task: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    private static async Task<int> GcAsync(NodeSetup setup, int keep, HashSet<string> only, bool dryRun, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            await using var log = await setup.ConnectAsync();
            var tasks = await TaskCatalog.ReadAsync(log, EventLimits.Default, CancellationToken.None);
            if (only.FirstOrDefault(id => tasks.All(t => t.Request.Task != id)) is { } unknown)
            {
                stderr.WriteLine($"murmur task: no task '{unknown}' was announced on this log ('murmur task list' shows them).");
                return ExitCodes.Failed;
            }
            if (tasks.FirstOrDefault(t => only.Contains(t.Request.Task) && t.State == "running") is { } running)
            {
                stderr.WriteLine($"murmur task: task {running.Request.Task} is still running ({running.Completed.Count} of {running.Members.Count} members completed); it was not deleted.");
                return ExitCodes.Failed;
            }
            var done = tasks.Where(t => t.State == "done" && (only.Count == 0 || only.Contains(t.Request.Task))).ToList();
            var doomed = done.Take(Math.Max(0, done.Count - keep)).ToList();
            if (dryRun)
            {
                doomed.ForEach(t => stdout.WriteLine($"would delete task {t.Request.Task}: topic {t.Request.Topic} ({t.Events} records, {t.Members.Count} members)"));
                stdout.WriteLine($"{doomed.Count} task(s) would be deleted, {done.Count - doomed.Count} kept; nothing was deleted (--dry-run)");
                return ExitCodes.Ok;
            }
            await using var node = await MurmurNode.StartAsync(o =>
            {
                o.UseLog(log);
                o.Options = o.Options with { NodeId = setup.NodeId ?? $"cli-gc-{Environment.ProcessId}", Signing = setup.Signing };
            });
            long records = 0;
            foreach (var t in doomed)
            {
                if (!await node.DeleteTopicAsync(t.Request.Topic, t.Participants))
                {
                    stderr.WriteLine($"murmur task: this log cannot delete one topic's records (Kafka: use retention); deleted {doomed.IndexOf(t)} task(s) before {t.Request.Task}.");
                    return ExitCodes.Failed;
                }
                records += t.Events;
                stdout.WriteLine($"deleted task {t.Request.Task}: topic {t.Request.Topic} ({t.Events} records, {t.Members.Count} members, their snapshots and checkpoints)");
            }
            stdout.WriteLine($"{doomed.Count} task(s) deleted ({records} records), {done.Count - doomed.Count} done task(s) kept, {tasks.Count(t => t.State == "running")} running left alone");
            return ExitCodes.Ok;
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur task: {ex.Message}");
            return ExitCodes.Failed;
        }
    }
}
