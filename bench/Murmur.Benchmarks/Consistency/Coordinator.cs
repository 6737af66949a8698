using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Events;
namespace Murmur.Benchmarks.Consistency;

/// <summary>
/// The orchestrator the essay argues against: every worker reports to it, it relays every report to all other
/// workers, and it runs the plan in phases — research (until every researcher sent TASK_COMPLETE), then coding
/// (one DRAFT_REQUEST per final finding), then review (one REVIEW_REQUEST per draft, once all drafts are in).
/// </summary>
internal sealed class Coordinator(ExploratoryRun run) : Agent
{
    private readonly List<string> _findings = [];
    private readonly HashSet<string> _retracted = new(StringComparer.Ordinal);
    private readonly List<string> _drafts = [];
    private OrchestraRoster? _roster;
    private int _completed;
    private int _expectedDrafts = -1;

    protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        switch (message)
        {
            case OrchestraRoster roster:
                _roster = roster;
                break;
            case Note note:
                run.OnHanded(1);
                Relay(note);
                Handle(note);
                break;
            default:
                break;
        }
        return ValueTask.CompletedTask;
    }

    private void Relay(Note note)
    {
        var roster = _roster ?? throw new InvalidOperationException("no roster");
        foreach (var worker in roster.Researchers.Append(roster.Coder).Append(roster.Reviewer))
        {
            if (!string.Equals(worker.Id.ToString(), note.From, StringComparison.Ordinal))
            {
                Context.Send(worker, note);
                run.OnRelayed();
            }
        }
    }

    private void Handle(Note note)
    {
        var roster = _roster!;
        switch (note.Kind)
        {
            case AiActions.Finding:
                _findings.Add(note.Key);
                break;
            case Actions.Retract:
                _retracted.Add(note.Key);
                break;
            case Actions.TaskComplete when ++_completed == roster.Researchers.Count:
                var final = _findings.Where(f => !_retracted.Contains(f)).ToList();
                _expectedDrafts = final.Count;
                foreach (var key in final)
                {
                    Context.Send(roster.Coder, new Note(Note.DraftRequest, Context.Id.ToString(), key));
                    run.OnSent();
                }
                break;
            case AiActions.Proposal:
                _drafts.Add(note.Key);
                if (_drafts.Count == _expectedDrafts)
                {
                    foreach (var key in _drafts)
                    {
                        Context.Send(roster.Reviewer, new Note(Note.ReviewRequest, Context.Id.ToString(), key));
                        run.OnSent();
                    }
                }
                break;
            case Payloads.Review:
                run.Accept(note.Key);
                break;
            default:
                break;
        }
    }
}
