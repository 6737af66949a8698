using System.Diagnostics;
using System.Globalization;

namespace Murmur.Cli.Demo;

/// <summary>Prints each delivered event of a run as one line, as it happens.</summary>
internal sealed class EventPrinter(string label, TextWriter output) : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Task _printing = Task.CompletedTask;

    public void Watch(Topic topic) => _printing = Task.Run(() => PrintAsync(topic));

    private async Task PrintAsync(Topic topic)
    {
        var printed = 0;
        try
        {
            while (true)
            {
                await topic.WaitForDeliveredAsync(printed + 1, _stop.Token);
                var history = topic.History;
                for (; printed < history.Count; printed++)
                {
                    var e = history[printed];
                    var round = e.Round is { } r ? $" r{r}" : string.Empty;
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"[{label} {_clock.Elapsed.TotalSeconds,6:0.000}s{round}] {e.Actor,-19} {e.Action,-18} {EventText.Describe(e)}"));
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private bool _disposed;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stop.Cancel();
        try
        {
            _printing.GetAwaiter().GetResult();
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
