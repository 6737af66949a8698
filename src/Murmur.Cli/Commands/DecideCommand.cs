using System.CommandLine;
using Murmur.AI.Approvals;
using Murmur.Cli.Mesh;
using Murmur.Logs;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur approve CALL_ID</c> and <c>murmur deny CALL_ID --reason TEXT</c>: decide on a waiting tool call.</summary>
internal sealed class DecideCommand(bool approve) : ICommand
{
    private string Name => approve ? "approve" : "deny";

    public Command Build()
    {
        var callId = new Argument<string>("CALL_ID") { Description = "the call to decide on (see 'murmur approvals')", Arity = ArgumentArity.ZeroOrOne }.RefusingOptions();
        var reason = new Option<string>("--reason") { HelpName = "TEXT", Description = approve ? "why (optional)" : "why (required): the agent reads it" };
        var named = new Option<string>("--as") { HelpName = "NAME", Description = "who decides, without signing (default: the configured node id, else the login name)" };
        var command = new MurmurCommand(Name, approve ? "approve a tool call waiting for approval: it runs once" : "deny a tool call waiting for approval: it never runs")
        {
            Details = $"""
                Appends {(approve ? "APPROVED" : "DENIED")} for CALL_ID (see 'murmur approvals') to '{ApprovalDesk.LogTopic}'
                and prints the decision that stands: the first one in the log counts. {(approve ? "The agent then runs the call once." : "The agent gets the reason as the tool's result; the call never runs.")}
                The agents' nodes accept decisions only from their configured approvers; with --sign-key the decision is
                signed and made as the key's node, and nodes that require signatures refuse unsigned ones.

                {MeshOptions.Help}

                exit codes: 0 decided as asked, 1 the log is unreachable, the call is unknown, already decided or
                decided otherwise first, 2 usage error.
                """,
        };
        command.Arguments.Add(callId);
        command.Options.Add(reason);
        command.Options.Add(named);
        var mesh = MeshOptions.AddTo(command);
        command.SetRun((parse, stdout, stderr) => Run(parse.GetValue(callId), parse.GetValue(reason), parse.GetValue(named), mesh(parse), stdout, stderr));
        return command;
    }

    private int Run(string? callId, string? reason, string? named, MeshOptions mesh, TextWriter stdout, TextWriter stderr)
    {
        if (callId is null)
        {
            throw new UsageException("a CALL_ID is required (list them with 'murmur approvals --log URL').");
        }
        if (!approve && string.IsNullOrWhiteSpace(reason))
        {
            throw new UsageException("--reason is required: the agent is told why.");
        }
        var setup = mesh.Resolve();
        return DecideAsync(setup, ApprovalPrincipal.Of(setup, named), callId, reason, stdout, stderr).GetAwaiter().GetResult();
    }

    private async Task<int> DecideAsync(Configuration.NodeSetup setup, string principal, string callId, string? reason, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            await using var connected = await setup.ConnectAsync();
            MeshOptions.WriteWarnings(setup, Name, stderr);
            await using var desk = await ApprovalDesk.StartAsync(connected, principal, signing: setup.Signing);
            var decision = approve ? await desk.ApproveAsync(callId, reason) : await desk.DenyAsync(callId, reason!);
            var asked = approve ? ApprovalOutcome.Approved : ApprovalOutcome.Denied;
            stdout.WriteLine($"{callId}: {decision.Outcome.ToString().ToLowerInvariant()} by {decision.Principal}{(decision.Reason is null ? "" : ": " + decision.Reason)}");
            return decision.Outcome == asked && decision.Principal == principal ? ExitCodes.Ok : ExitCodes.Failed;
        }
        catch (InvalidOperationException ex)
        {
            stderr.WriteLine($"murmur {Name}: {ex.Message}");
            return ExitCodes.Failed;
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur {Name}: {ex.Message}");
            return ExitCodes.Failed;
        }
    }
}
