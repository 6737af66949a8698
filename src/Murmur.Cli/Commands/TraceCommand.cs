using System.CommandLine;
using System.Text;
using Murmur.Cli.Trace;

namespace Murmur.Cli.Commands;

/// <summary>
/// <c>murmur trace LOG --html OUT [--shiviz OUT] [--roster A,B,C]</c>: delivers a log in causal order and draws it
/// as a self-contained HTML space-time diagram, optionally also as a ShiViz log.
/// </summary>
internal sealed class TraceCommand : ICommand
{
    public Command Build()
    {
        var log = new Argument<string>("LOG") { Description = "the log: one JSON event per line" }.RefusingOptions();
        var html = new Option<string>("--html") { HelpName = "OUT.html", Description = "write the self-contained page" };
        var shiviz = new Option<string>("--shiviz") { HelpName = "OUT.log", Description = "write the ShiViz log" };
        var roster = new Option<string>("--roster") { HelpName = "A,B,C", Description = "the fixed roster (member i owns clock entry i); without it, JOIN events define it." };
        foreach (var output in new[] { html, shiviz })
        {
            output.Check(v => v is not "", _ => $"{output.Name} needs a non-empty value");
        }
        var command = new MurmurCommand("trace", "draw a log as a space-time diagram (self-contained HTML, ShiViz log)") { Details = """
                Reads LOG, one JSON event per line (blank lines are skipped), delivers the events in causal order as
                'murmur causal' does, and writes:
                  --html OUT.html    one self-contained page (inline CSS, JS and SVG; no network) with a lane per actor,
                                     events left to right in delivery order, causal and depends_on arrows, speculation
                                     and round markers; hover shows an event's JSON, click shows what is concurrent.
                  --shiviz OUT.log   the same events in ShiViz's log format (regex line, empty line, then per event
                                     'ACTOR {"A":1,"B":2}' and 'ACTION EVENT_ID PAYLOAD').
                At least one of --html and --shiviz is needed.

                exit codes: 0 every event was drawn, 1 some lines were rejected or undeliverable (the rest is drawn and
                the page lists them), 2 usage error (bad flags, unreadable log, unwritable output).
                """ };
        command.Arguments.Add(log);
        command.Options.Add(html);
        command.Options.Add(shiviz);
        command.Options.Add(roster);
        command.Validators.Add(r =>
        {
            if (r.GetResult(html) is null && r.GetResult(shiviz) is null)
            {
                r.AddError("nothing to write: give --html OUT.html and/or --shiviz OUT.log");
            }
        });
        command.SetRun((parse, stdout, stderr) => Run(
            new TraceOptions(parse.GetValue(log)!, parse.GetValue(html), parse.GetValue(shiviz), parse.GetValue(roster) is { } r ? RosterArgument.Parse(r) : null),
            stdout,
            stderr));
        return command;
    }

    private static int Run(TraceOptions options, TextWriter stdout, TextWriter stderr)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(options.Log);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new UsageException($"cannot read '{options.Log}': {ex.Message}");
        }

        var model = TraceModel.Build(content, options.Roster);
        var written = new List<string>();
        if (options.Html is { } html && !TryWrite(html, HtmlPage.Render(model, Path.GetFileName(options.Log)), written, stderr))
        {
            return ExitCodes.Usage;
        }
        if (options.ShiViz is { } shiviz && !TryWrite(shiviz, ShiVizWriter.Write(model), written, stderr))
        {
            return ExitCodes.Usage;
        }
        var arrows = model.Arrows.Count(a => a.Kind != ArrowKind.Lane);
        stdout.WriteLine($"murmur trace: {model.Nodes.Count} event(s) on {model.Roster.Count} lane(s), {arrows} arrow(s); wrote {string.Join(", ", written)}");
        var report = model.Report;
        if (report.WriteProblems(stderr) == 0)
        {
            return ExitCodes.Ok;
        }
        stderr.WriteLine($"murmur trace: {report.Rejected.Count} line(s) rejected, {report.Undeliverable.Count} event(s) undeliverable; the page lists them.");
        return ExitCodes.Failed;
    }

    private static bool TryWrite(string path, string text, List<string> written, TextWriter stderr)
    {
        try
        {
            File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            written.Add(path);
            return true;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            stderr.WriteLine($"murmur trace: cannot write '{path}': {ex.Message}");
            return false;
        }
    }
}
