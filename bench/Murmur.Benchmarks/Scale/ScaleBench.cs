using Murmur.Benchmarks.Runtime;

namespace Murmur.Benchmarks.Scale;

/// <summary>
/// What a fleet's work costs a node: many small topics of working agents (memory per member and per topic), many
/// topics over a NATS cluster (server consumers, set-up time), one long-running topic (memory retained as events
/// grow), a restarted node rejoining a long topic, and one topic with many members. Parts can be chosen with the
/// comma-separated <c>MURMUR_SCALE_PARTS</c> (topics, nats, history, rebuild, members).
/// </summary>
internal sealed class ScaleBench : IBench
{
    public string Name => "scale";

    public async Task RunAsync(BenchContext context)
    {
        var parts = Environment.GetEnvironmentVariable("MURMUR_SCALE_PARTS") is { Length: > 0 } only
            ? only.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : ["topics", "members", "history", "rebuild", "nats"];
        foreach (var part in parts)
        {
            Measure.Note($"scale: {part}");
            switch (part)
            {
                case "topics":
                    await TopicsScale.RunAsync(context).ConfigureAwait(false);
                    break;
                case "members":
                    await MembersScale.RunAsync(context).ConfigureAwait(false);
                    break;
                case "history":
                    await HistoryScale.RunAsync(context).ConfigureAwait(false);
                    break;
                case "rebuild":
                    await RebuildScale.RunAsync(context).ConfigureAwait(false);
                    break;
                case "nats":
                    await NatsScale.RunAsync(context).ConfigureAwait(false);
                    break;
                default:
                    throw new ArgumentException($"unknown scale part '{part}' (topics, members, history, rebuild, nats)");
            }
        }
    }
}
