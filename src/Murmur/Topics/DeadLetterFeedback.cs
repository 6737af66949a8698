using System.Text.Json;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;

namespace Murmur.Topics;

/// <summary>
/// Tells senders why their events were refused: each dead letter of a topic read from its log is also appended, as a
/// <c>DEAD_LETTER</c> event, to <c>murmur.deadletters.&lt;topic&gt;</c>, which any client can read like a topic.
/// </summary>
/// <remarks>
/// Bounded: at most <see cref="MurmurNodeOptions.DeadLetterFeedbackPerMinute"/> records per topic and minute (the next
/// record after a full minute says how many were left out), each with a 256-character excerpt, so a flood of hostile
/// events cannot make the node flood the log. The event id is <c>dl-&lt;position&gt;</c>: several nodes reporting the same
/// refusal write one record where the log de-duplicates ids (NATS). Thread-safe.
/// </remarks>
internal sealed class DeadLetterFeedback(TopicHost host)
{
    /// <summary>The action of a feedback record.</summary>
    public const string Action = "DEAD_LETTER";

    private long _windowStart = long.MinValue;
    private int _sentInWindow;
    private int _suppressed;

    /// <summary>The feedback topic of <paramref name="topic"/>.</summary>
    public static string TopicOf(string topic) => "murmur.deadletters." + topic;

    /// <summary>Reports a refusal of a record read from the log, unless the minute's budget is spent.</summary>
    public void Report(DeadLetterEvent dead)
    {
        var node = host.Node;
        var perMinute = node.Options.DeadLetterFeedbackPerMinute;
        if (perMinute == 0 || dead.Position <= 0 || host.Name.StartsWith("murmur.", StringComparison.Ordinal))
        {
            return; // off, not from the log, or a side topic (never report refusals of the reports themselves)
        }
        int suppressed;
        lock (this)
        {
            var now = node.TimeProvider.GetTimestamp();
            if (_windowStart == long.MinValue || node.TimeProvider.GetElapsedTime(_windowStart, now) >= TimeSpan.FromMinutes(1))
            {
                _windowStart = now;
                _sentInWindow = 0;
            }
            if (_sentInWindow >= perMinute)
            {
                _suppressed++;
                return;
            }
            _sentInWindow++;
            suppressed = _suppressed;
            _suppressed = 0;
        }
        _ = AppendAsync(dead, suppressed);
    }

    private async Task AppendAsync(DeadLetterEvent dead, int suppressed)
    {
        var topic = TopicOf(host.Name);
        try
        {
            var payload = JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
            {
                ["topic"] = host.Name,
                ["position"] = dead.Position,
                ["event_id"] = dead.EventId,
                ["reason"] = dead.Reason.Length > 1024 ? dead.Reason[..1024] : dead.Reason,
                ["excerpt"] = dead.Excerpt,
                ["suppressed"] = suppressed,
            });
            var report = new AgentEvent($"dl-{dead.Position}", host.NodeId, Action, payload, VectorClock.Empty)
            {
                Topic = topic,
                Timestamp = host.Node.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds(),
            };
            await host.Node.Log.AppendAsync(topic, host.Appender.Prepare(report).Record).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is EventLogException or ObjectDisposedException or ArgumentException or OperationCanceledException)
        {
            TopicLogMessages.FeedbackFailed(host.Node.Logger, topic, ex);
        }
    }
}
