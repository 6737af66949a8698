using System.Diagnostics;
using System.Globalization;
using Murmur.Topics;

namespace Murmur.Cli.Demo;

/// <summary>Prints each delivered event of a run as one line, as it happens.</summary>
internal sealed class EventPrinter(string label, TextWriter output) : TopicWatcher
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    protected override async Task WatchAsync(Topic topic, CancellationToken stop)
    {
        try
        {
            await foreach (var e in topic.WatchAsync(stop))
            {
                var round = e.Round is { } r ? $" r{r}" : string.Empty;
                output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{label} {_clock.Elapsed.TotalSeconds,6:0.000}s{round}] {e.Actor,-19} {e.Action,-18} {EventText.Describe(e)}"));
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
