using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
using Murmur.Topics;
namespace Murmur.Cli.Demo;

/// <summary>
/// Drafts a fix for each finding as soon as it arrives. In eventual topics the draft is speculative (the finding is
/// provisional until its researcher's <c>TASK_COMPLETE</c>): the proposal carries <c>depends_on</c> and adding the
/// fix to the patch is journaled until the commit; a retracted finding aborts it. In strict topics the coder sees
/// only closed rounds, so it acts on agreed state directly. Ends with <c>TASK_COMPLETE</c> once every researcher is
/// done and every live proposal has a review.
/// </summary>
internal sealed class DemoCoder(DemoContext demo) : Agent
{
    private readonly HashSet<string> _handled = new(StringComparer.Ordinal);
    private readonly HashSet<string> _retracted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _liveProposals = new(StringComparer.Ordinal);
    private readonly HashSet<string> _drafted = new(StringComparer.Ordinal); // proposals this instance published
    private readonly HashSet<string> _reviewed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _researchersDone = new(StringComparer.Ordinal);
    private int _open;
    private bool _completed;

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        foreach (var e in view.New)
        {
            if (e.Action == Actions.Retract && Retraction.TryRead(e, out var retraction))
            {
                _retracted.Add(retraction!.Target);
            }
            else if (e.Action == Actions.TaskComplete && e.Actor.StartsWith("Researcher", StringComparison.Ordinal))
            {
                _researchersDone.Add(e.Actor);
            }
            else if (e.Actor == view.Member.Actor && e.Action == AiActions.Proposal && !_drafted.Contains(e.EventId))
            {
                // A proposal of an earlier instance, handed over from the log when it resumes (a takeover, a restart):
                // not drafted again, and still awaiting its review unless it was withdrawn.
                if (DemoPayloads.ReadFix(e, demo.Root, out _) is not { } earlier)
                {
                    continue; // not a proposal this agent could have written: nothing to remember
                }
                _handled.Add(earlier.Finding);
                if (!view.Member.IsWithdrawn(e.EventId))
                {
                    _liveProposals.Add(e.EventId);
                }
            }
            else if (e.Actor == view.Member.Actor && e.Action == Actions.TaskComplete)
            {
                _completed = true;
            }
            else if (e.Actor == view.Member.Actor && e.Action == Actions.Message && RepliesTo(e) is { } answered)
            {
                _handled.Add(answered); // an earlier instance answered this finding already (refused, or no recipe)
            }
            else if (e.Action == "REVIEW" && DemoPayloads.ReadReviewed(e, out _) is { } reviewed)
            {
                _reviewed.Add(reviewed);
            }
        }
        var tools = demo.Invoker("read_file");
        foreach (var finding in view.FromOthers.Where(e => e.Action == AiActions.Finding).ToList())
        {
            if (!_handled.Add(finding.EventId) || _retracted.Contains(finding.EventId))
            {
                continue;
            }
            if (DemoPayloads.ReadFinding(finding, demo.Root, out var invalid) is not var (path, line))
            {
                // Someone else's payload: answered with the reason, never a crash.
                await view.PublishAsync(Actions.Message, new { to = finding.Actor, in_reply_to = finding.EventId, text = $"ignored FINDING {finding.EventId}: {invalid}" }, cancellationToken: cancellationToken);
                continue;
            }
            await tools.InvokeAsync(view.Member, "read_file", new Dictionary<string, object?> { ["path"] = path, ["start"] = Math.Max(1, line - 3), ["count"] = 7 }, cancellationToken);
            await demo.ThinkAsync(cancellationToken);
            var original = PatchWriter.ReadLines(Path.Combine(demo.Root, path));
            if (line < 1 || line > original.Length || Leaks.Fix(original[line - 1]) is not { } after)
            {
                await view.PublishAsync(Actions.Message, new { text = $"no recipe for {path}:{line}; left for a person", in_reply_to = finding.EventId }, cancellationToken: cancellationToken);
                continue;
            }
            var diff = $"--- a/{path}\n+++ b/{path}\n" + PatchWriter.ForFile(path, original, [(line, after)], withHeader: false);
            var fix = new Fix(path, line, original[line - 1], after, finding.EventId, diff);
            if (demo.Mode == Consistency.Eventual)
            {
                await using var speculation = view.Speculate(finding);
                var proposal = await speculation.PublishAsync(AiActions.Proposal, fix, cancellationToken);
                _drafted.Add(proposal.EventId);
                _liveProposals.Add(proposal.EventId);
                _open++;
                speculation.OnCommit(() => demo.Accepted[fix.Finding] = fix);
            }
            else
            {
                var proposal = await view.PublishAsync(AiActions.Proposal, fix, cancellationToken: cancellationToken);
                _drafted.Add(proposal.EventId);
                _liveProposals.Add(proposal.EventId);
                demo.Accepted[fix.Finding] = fix;
            }
        }
        await CompleteIfDoneAsync(view.Member, cancellationToken);
    }

    protected override async ValueTask OnSpeculationAbortedAsync(Speculation aborted, CancellationToken cancellationToken)
    {
        _open--;
        foreach (var e in aborted.Published)
        {
            _liveProposals.Remove(e.EventId);
        }
        await Topics[0].PublishAsync(Actions.Message, new { text = $"dropped draft ({aborted.AbortReason}); re-planning" }, cancellationToken: cancellationToken);
    }

    protected override ValueTask OnSpeculationCommittedAsync(Speculation committed, CancellationToken cancellationToken)
    {
        _open--;
        return ValueTask.CompletedTask;
    }

    private async Task CompleteIfDoneAsync(TopicMember member, CancellationToken cancellationToken)
    {
        _liveProposals.RemoveWhere(member.IsWithdrawn);
        if (_completed || _researchersDone.Count < demo.Researchers || _open > 0 || !_liveProposals.IsSubsetOf(_reviewed))
        {
            return;
        }
        _completed = true;
        await member.PublishAsync(Actions.TaskComplete, new { proposals = _liveProposals.Count }, cancellationToken: cancellationToken);
    }

    /// <summary>The event an own MESSAGE answers (<c>in_reply_to</c>), if it names one.</summary>
    internal static string? RepliesTo(AgentEvent message)
    {
        var payload = message.GetPayload();
        return payload.ValueKind == System.Text.Json.JsonValueKind.Object && payload.TryGetProperty("in_reply_to", out var to) && to.ValueKind == System.Text.Json.JsonValueKind.String
            ? to.GetString()
            : null;
    }
}
