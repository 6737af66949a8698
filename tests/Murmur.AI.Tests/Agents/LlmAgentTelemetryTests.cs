using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using Murmur.AI.Agents;
using Murmur.AI.Scripted;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.Diagnostics;
using Murmur.Events;

namespace Murmur.AI.Tests.Agents;

public sealed class LlmAgentTelemetryTests : IDisposable
{
    private readonly TempTree _tree = new();

    public LlmAgentTelemetryTests() => _tree.Write("src/login.py", "log(auth_token)\n");

    public void Dispose() => _tree.Dispose();

    [Fact]
    public async Task ModelAndToolCalls_AreSpansInTheAgentsTurn_AndMeasured()
    {
        // Other tests run in parallel on the same process-wide source and meter: spans are picked by this
        // agent's name and trace, measurements only checked to have moved.
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == MurmurDiagnostics.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        long toolCalls = 0, modelCalls = 0;
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == MurmurDiagnostics.Name && instrument.Name is "murmur.tool.calls" or "murmur.model.duration")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == MurmurDiagnostics.Tags.Locality && Equals(tag.Value, "local"))
                {
                    Interlocked.Add(ref toolCalls, value);
                }
            }
        });
        meters.SetMeasurementEventCallback<double>((_, _, _, _) => Interlocked.Increment(ref modelCalls));
        meters.Start();

        await using (var node = await MurmurNode.StartAsync())
        {
            node.Tools().Add(BuiltInTools.GrepSearch(_tree.Root));
            var topic = await node.OpenTopicAsync("telemetry");
            var engine = ScriptedChatClient.FromJson("""
                [{"tool_calls":[{"tool":"grep_search","args":{"query":"auth_token","path":"src"}}]},
                 {"text":"found it"}]
                """);
            var options = new LlmAgentOptions { Goal = "find auth_token", AllowedTools = ["grep_search"] };
            await node.SpawnAsync("Telemetry_Agent", () => new LlmAgent(engine, node.Tools(), options), topic);
            await TopicWait.UntilAsync(topic, e => e.Action == Actions.TaskComplete);
        }

        // A goal task runs from a mailbox message, not from topic events: its spans start traces of their own.
        string? Actor(Activity a) => a.GetTagItem(MurmurDiagnostics.Tags.Actor) as string;
        Assert.Equal(2, spans.Count(s => s.DisplayName == "chat scripted" && Actor(s) == "Telemetry_Agent"));
        var tool = Assert.Single(spans, s => s.DisplayName == "execute_tool grep_search" && Actor(s) == "Telemetry_Agent");
        Assert.Equal("local", tool.GetTagItem(MurmurDiagnostics.Tags.Locality));
        var result = Assert.Single(spans, s => s.DisplayName == "publish TOOL_RESULT" && Actor(s) == "Telemetry_Agent");
        Assert.Equal(tool.SpanId, result.ParentSpanId); // the result is recorded inside the tool's span
        Assert.True(Interlocked.Read(ref toolCalls) >= 1);
        Assert.True(Interlocked.Read(ref modelCalls) >= 2);
    }
}
