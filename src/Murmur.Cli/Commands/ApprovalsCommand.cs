using System.CommandLine;
using Murmur.AI.Approvals;
using Murmur.Cli.Mesh;
using Murmur.Logs;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur approvals --log URL</c>: lists the tool calls that wait for a person's decision.</summary>
internal sealed class ApprovalsCommand : ICommand
{
    public Command Build()
    {
        var json = new Option<bool>("--json") { Description = "one JSON object per request instead of text" };
        var command = new MurmurCommand("approvals", "list the tool calls waiting for approval ('murmur approve' / 'murmur deny' decide)")
        {
            Details = $"""
                Reads the approvals topic '{ApprovalDesk.LogTopic}' to its end and lists the requests nobody decided yet:
                call id, agent, topic, tool, arguments and why it needs approval. Entries it refuses (malformed, unsigned
                or forged with --sign-key/--trust-keys) are reported on stderr with the reason.

                {MeshOptions.Help}

                exit codes: 0 listed, 1 the log is unreachable, 2 usage error.
                """,
        };
        command.Options.Add(json);
        var mesh = MeshOptions.AddTo(command);
        command.SetRun((parse, stdout, stderr) => ListAsync(mesh(parse).Resolve(), parse.GetValue(json), stdout, stderr).GetAwaiter().GetResult());
        return command;
    }

    private static async Task<int> ListAsync(Configuration.NodeSetup setup, bool json, TextWriter stdout, TextWriter stderr)
    {
        try
        {
            await using var connected = await setup.ConnectAsync();
            MeshOptions.WriteWarnings(setup, "approvals", stderr);
            await using var desk = await ApprovalDesk.StartAsync(connected, ApprovalPrincipal.Of(setup, null), signing: setup.Signing);
            foreach (var refused in desk.Refused)
            {
                stderr.WriteLine($"murmur approvals: refused: {refused}");
            }
            var pending = desk.Pending;
            foreach (var r in pending)
            {
                stdout.WriteLine(json
                    ? System.Text.Json.JsonSerializer.Serialize(new { call_id = r.CallId, actor = r.Actor, topic = r.Topic, tool = r.Tool, args = r.Arguments, reason = r.Reason, requested_at = r.RequestedAt, expires_at = r.ExpiresAt })
                    : $"{r.CallId}  {r.Actor} in {r.Topic}: {r.Tool} {r.Arguments.GetRawText()} — {r.Reason}{Expiry(r)}");
            }
            if (!json)
            {
                stderr.WriteLine(pending.Count == 0 ? "no approvals pending" : $"{pending.Count} pending: 'murmur approve CALL_ID' or 'murmur deny CALL_ID --reason TEXT'");
            }
            return ExitCodes.Ok;
        }
        catch (EventLogException ex)
        {
            stderr.WriteLine($"murmur approvals: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    private static string Expiry(ApprovalRequest r)
        => r.ExpiresAt is { } at ? $" (expires {DateTimeOffset.FromUnixTimeMilliseconds(at):yyyy-MM-dd HH:mm:ss}Z)" : "";
}
