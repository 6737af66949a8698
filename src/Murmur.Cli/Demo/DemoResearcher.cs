using System.Text.Json;
using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;

namespace Murmur.Cli.Demo;

/// <summary>
/// Searches its areas of the tree with <c>grep_search</c> (co-located), reports each leak as a <c>FINDING</c> the
/// moment it sees it, checks the context with <c>read_file</c>, retracts a false positive, and ends with
/// <c>TASK_COMPLETE</c>. Reasoning is scripted (<see cref="Leaks"/>).
/// </summary>
internal sealed class DemoResearcher(DemoContext demo, IReadOnlyList<string> areas) : Agent
{
    private readonly Dictionary<string, string> _published = new(StringComparer.Ordinal); // "path:line" → its FINDING's id
    private readonly HashSet<string> _retractedIds = new(StringComparer.Ordinal);
    private bool _done;
    private bool _started;

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        // What this agent already published is in the log: a resumed instance (a takeover on another node, a restart)
        // is handed it first, and neither reports a finding twice nor completes twice.
        foreach (var own in view.New.Where(e => e.Actor == view.Member.Actor))
        {
            // Read as untrusted like any event: a payload that is not a finding of the tree is not one of ours to skip.
            if (own.Action == AiActions.Finding && DemoPayloads.ReadFinding(own, demo.Root, out _) is var (ownPath, ownLine))
            {
                _published.TryAdd($"{ownPath}:{ownLine}", own.EventId);
            }
            else if (own.Action == Actions.Retract && Retraction.TryRead(own, out var retraction))
            {
                _retractedIds.Add(retraction!.Target);
            }
            else if (own.Action == Actions.TaskComplete)
            {
                _done = true;
            }
        }
        if (_started || _done || view.IsReplay)
        {
            return;
        }
        _started = true;
        var member = view.Member;
        var tools = demo.Invoker("grep_search", "read_file");
        int findings = 0, retracted = 0;
        foreach (var area in areas)
        {
            await demo.ThinkAsync(cancellationToken);
            var grep = await tools.InvokeAsync(member, "grep_search", new Dictionary<string, object?> { ["query"] = "auth_token", ["path"] = area }, cancellationToken);
            if (!grep.Ok)
            {
                continue;
            }
            foreach (var match in grep.Result.GetProperty("matches").EnumerateArray())
            {
                var path = match.GetProperty("path").GetString()!;
                var line = match.GetProperty("line").GetInt32();
                var text = match.GetProperty("text").GetString()!;
                if (Leaks.Classify(text) is not { } issue)
                {
                    continue;
                }
                findings++;
                string findingId;
                if (_published.TryGetValue($"{path}:{line}", out var earlier))
                {
                    findingId = earlier;
                    if (_retractedIds.Contains(earlier))
                    {
                        retracted++;
                        continue;
                    }
                }
                else
                {
                    await demo.ThinkAsync(cancellationToken);
                    findingId = (await member.PublishAsync(AiActions.Finding, new { path, line, text = text.Trim(), issue, summary = $"{path}:{line}: {issue}" }, cancellationToken: cancellationToken)).EventId;
                }
                // Look closer before confirming: a fixture token in a test is not a leak.
                var read = await tools.InvokeAsync(member, "read_file", new Dictionary<string, object?> { ["path"] = path, ["start"] = 1, ["count"] = 200 }, cancellationToken);
                await demo.ThinkAsync(cancellationToken);
                if (read.Ok && Leaks.IsTestFixture("/" + path, read.Result.GetProperty("lines").EnumerateArray().Select(l => l.GetString() ?? string.Empty)))
                {
                    await member.PublishRawAsync(Actions.Retract, new Retraction(findingId, "test fixture: FAKE_TOKEN is not a real secret").ToPayload(), cancellationToken: cancellationToken);
                    retracted++;
                }
            }
        }
        await member.PublishAsync(Actions.TaskComplete, new { findings, retracted, areas }, cancellationToken: cancellationToken);
    }

    public static JsonElement Payload(AgentEvent e) => e.GetPayload();
}
