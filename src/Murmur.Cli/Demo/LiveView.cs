using Murmur.AI.Events;
using Murmur.Events;
using Murmur.Topics;
using Spectre.Console;

namespace Murmur.Cli.Demo;

/// <summary>A live table of the agents of a run and their latest events, for interactive terminals (Spectre.Console).</summary>
internal sealed class LiveView(string label) : TopicWatcher
{
    /// <summary>True when standard output is an interactive terminal that can redraw a table.</summary>
    public static bool Supported => !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    protected override async Task WatchAsync(Topic topic, CancellationToken stop)
    {
        var table = new Table().Border(TableBorder.Rounded).Title($"[bold]{label}[/] — topic [blue]{topic.Name}[/] ([grey]scripted reasoning[/])");
        table.AddColumn("agent").AddColumn("events", c => c.RightAligned()).AddColumn("latest").AddColumn("what");
        await AnsiConsole.Live(table).AutoClear(false).StartAsync(async context =>
        {
            while (true)
            {
                Render(table, topic);
                context.Refresh();
                try
                {
                    await Task.Delay(100, stop); // a redraw rate for people, not a wait for an event
                }
                catch (OperationCanceledException)
                {
                    Render(table, topic);
                    context.Refresh();
                    return;
                }
            }
        });
    }

    private static void Render(Table table, Topic topic)
    {
        var history = topic.History;
        table.Rows.Clear();
        foreach (var actor in topic.Roster.Members)
        {
            var mine = history.Where(e => e.Actor == actor).ToList();
            var last = mine.LastOrDefault();
            var color = last?.Action switch
            {
                AiActions.Finding => "yellow",
                AiActions.Proposal => "aqua",
                Actions.SpeculationCommit => "green",
                Actions.SpeculationAbort or Actions.Retract => "red",
                Actions.TaskComplete => "bold green",
                _ => "white",
            };
            table.AddRow(
                new Markup($"[bold]{Markup.Escape(actor)}[/]"),
                new Text(mine.Count.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Markup($"[{color}]{Markup.Escape(last?.Action ?? "-")}[/]"),
                new Text(last is null ? string.Empty : Truncate(EventText.Describe(last), 70)));
        }
    }

    private static string Truncate(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
}
