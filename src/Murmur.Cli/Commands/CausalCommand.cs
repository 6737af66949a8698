using System.CommandLine;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Cli.Commands;

/// <summary>
/// <c>murmur causal FILE [--roster A,B,C]</c>: reads one event per line, runs them through a
/// <see cref="CausalBuffer"/> in file order, and prints what was delivered, concurrent, duplicated, rejected
/// and undeliverable as JSON.
/// </summary>
internal sealed class CausalCommand : ICommand
{
    public Command Build()
    {
        var file = new Argument<string>("FILE") { Description = "the events: one JSON event per line" }.RefusingOptions();
        var roster = new Option<string>("--roster") { HelpName = "A,B,C", Description = "the fixed roster: member i owns clock entry i. Without it, JOIN events in the file define the roster in the order they are delivered; a JOIN with an empty clock (as runtimes write them, e.g. in `murmur log tail` output) takes the next index." };
        var command = new MurmurCommand("causal", "deliver a file of events in causal order and report the outcome as JSON") { Details = """
                Reads FILE, one JSON event per line (blank lines are skipped), offers the events to a causal buffer
                in file order, and prints a JSON report to stdout:
                  {"delivered":[id...],"concurrent":[[id,id]...],"duplicates":[id...],
                   "rejected":[{"line":n,"event_id":id|null,"reason":"..."}],"undeliverable":[id...]}

                exit codes: 0 every event was delivered (duplicates are fine), 1 some lines were rejected or
                undeliverable, 2 usage error (bad flags, unreadable file).
                """ };
        command.Arguments.Add(file);
        command.Options.Add(roster);
        command.SetRun((parse, stdout, stderr) => Run(parse.GetValue(file)!, parse.GetValue(roster) is { } r ? RosterArgument.Parse(r) : null, stdout, stderr));
        return command;
    }

    private static int Run(string path, Roster? roster, TextWriter stdout, TextWriter stderr)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read '{path}': {ex.Message}");
        }

        var report = Deliver(content, roster);
        stdout.WriteLine(report.ToJson());
        if (report.WriteProblems(stderr) == 0)
        {
            return ExitCodes.Ok;
        }
        stderr.WriteLine($"murmur causal: {report.Rejected.Count} line(s) rejected, {report.Undeliverable.Count} event(s) undeliverable, {report.Delivered.Count} delivered.");
        return ExitCodes.Failed;
    }

    internal static CausalReport Deliver(ReadOnlySpan<byte> content, Roster? roster)
    {
        var report = new CausalReport();
        var lines = new Dictionary<AgentEvent, int>(ReferenceEqualityComparer.Instance);
        var buffered = new List<AgentEvent>();
        var givenUp = new List<UndeliverableEvent>();
        var buffer = new CausalBuffer(roster ?? Roster.Empty, report.Delivered.Add,
            // The bounds a node applies, so the command and the runtime agree on every file (no grace period: the file is read to its end).
            CausalBufferOptions.NodeDefault with { RosterGrowsByJoin = roster is null, MaxWait = null });
        var lineNumber = 0;
        if (content.StartsWith("\uFEFF"u8))
        {
            content = content[3..]; // a UTF-8 byte-order mark written by some editors
        }
        while (!content.IsEmpty)
        {
            lineNumber++;
            var end = content.IndexOf((byte)'\n');
            var line = end < 0 ? content : content[..end];
            content = end < 0 ? [] : content[(end + 1)..];
            if (line.Trim(" \t\r"u8).IsEmpty)
            {
                continue;
            }
            if (!AgentEventCodec.TryDecode(line, EventLimits.Default, roster, out var e, out var error))
            {
                report.Rejected.Add(new CausalReport.Rejection(lineNumber, AgentEventCodec.PeekEventId(line), error.ToString()));
                continue;
            }
            if (roster is null && e!.Clock.Length == 0 && e.Action is Actions.Join or Actions.Evict)
            {
                if (e.Action == Actions.Evict || buffer.PlaceJoin(e) is not { } placed)
                {
                    report.Duplicates.Add(e.EventId); // a round decision, or a repeated JOIN: nothing to deliver
                    continue;
                }
                e = placed; // as runtimes write them: the index is the JOIN's position among first JOINs
            }
            lines[e!] = lineNumber;
            var result = buffer.Offer(e!);
            switch (result.Outcome)
            {
                case OfferOutcome.Duplicate:
                    report.Duplicates.Add(e.EventId);
                    break;
                case OfferOutcome.Rejected:
                    report.Rejected.Add(new CausalReport.Rejection(lineNumber, e.EventId, result.Reason ?? result.Rejection.ToString()));
                    break;
                case OfferOutcome.Buffered:
                    buffered.Add(e);
                    break;
            }
            foreach (var given in buffer.TakeUndeliverable())
            {
                givenUp.Add(given);
            }
        }
        var undeliverable = givenUp.Concat(buffer.DrainUndeliverable()).ToList();
        foreach (var u in undeliverable)
        {
            report.Undeliverable.Add((u.Event.EventId, lines[u.Event], u.Reason));
        }
        // A newcomer's early event is checked again when its JOIN is delivered and may be refused only then.
        var settled = new HashSet<AgentEvent>(report.Delivered.Concat(undeliverable.Select(u => u.Event)), ReferenceEqualityComparer.Instance);
        foreach (var e in buffered.Where(e => !settled.Contains(e)))
        {
            report.Rejected.Add(new CausalReport.Rejection(lines[e], e.EventId,
                $"refused when the JOIN of '{e.Actor}' was delivered: another event claims its entry or event_id"));
        }
        report.Rejected.Sort((a, b) => a.Line.CompareTo(b.Line));
        return report;
    }
}

/// <summary>What <see cref="CausalCommand"/> found.</summary>
internal sealed class CausalReport
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public List<AgentEvent> Delivered { get; } = [];

    public List<string> Duplicates { get; } = [];

    public List<Rejection> Rejected { get; } = [];

    public List<(string EventId, int Line, string Reason)> Undeliverable { get; } = [];

    /// <summary>Writes one line per rejected and per undeliverable event, with its line number; returns how many.</summary>
    public int WriteProblems(TextWriter stderr)
    {
        foreach (var r in Rejected)
        {
            stderr.WriteLine($"line {r.Line}: rejected{(r.EventId is null ? "" : $" '{r.EventId}'")}: {r.Reason}");
        }
        foreach (var (id, line, reason) in Undeliverable)
        {
            stderr.WriteLine($"line {line}: '{id}' is undeliverable: {reason}");
        }
        return Rejected.Count + Undeliverable.Count;
    }

    /// <summary>Every pair of delivered events whose clocks are concurrent, in delivery order.</summary>
    public IEnumerable<(string, string)> ConcurrentPairs()
    {
        for (var i = 0; i < Delivered.Count; i++)
        {
            for (var j = i + 1; j < Delivered.Count; j++)
            {
                if (Delivered[i].Clock.IsConcurrentWith(Delivered[j].Clock))
                {
                    yield return (Delivered[i].EventId, Delivered[j].EventId);
                }
            }
        }
    }

    public string ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, Options))
        {
            w.WriteStartObject();
            w.WriteStartArray("delivered");
            foreach (var e in Delivered)
            {
                w.WriteStringValue(e.EventId);
            }
            w.WriteEndArray();
            w.WriteStartArray("concurrent");
            foreach (var (a, b) in ConcurrentPairs())
            {
                w.WriteStartArray();
                w.WriteStringValue(a);
                w.WriteStringValue(b);
                w.WriteEndArray();
            }
            w.WriteEndArray();
            w.WriteStartArray("duplicates");
            foreach (var id in Duplicates)
            {
                w.WriteStringValue(id);
            }
            w.WriteEndArray();
            w.WriteStartArray("rejected");
            foreach (var r in Rejected)
            {
                w.WriteStartObject();
                w.WriteNumber("line", r.Line);
                if (r.EventId is null)
                {
                    w.WriteNull("event_id");
                }
                else
                {
                    w.WriteString("event_id", r.EventId);
                }
                w.WriteString("reason", r.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("undeliverable");
            foreach (var (id, _, _) in Undeliverable)
            {
                w.WriteStringValue(id);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary>A refused line.</summary>
    public sealed record Rejection(int Line, string? EventId, string Reason);
}
