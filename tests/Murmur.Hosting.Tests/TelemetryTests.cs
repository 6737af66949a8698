using System.Diagnostics;
using Murmur.AI.Events;
using Murmur.Agents;
using Murmur.Diagnostics;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Topics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Murmur.Hosting.Tests;

public sealed class TelemetryTests
{
    private static readonly TimeSpan Patience = HostBuilding.Patience;

    /// <summary>Two nodes on one shared log: Asker on node-1, Answerer on node-2.</summary>
    private static async Task<(MurmurNode One, MurmurNode Two, Topic TopicOne, AgentRef Asker)> StartMeshAsync(string topic)
    {
        var log = new InMemoryEventLog();
        var one = await MurmurNode.StartAsync(b => b.UseInMemoryLog(log).Configure(o => o with { NodeId = "node-1" }));
        var two = await MurmurNode.StartAsync(b => b.UseInMemoryLog(log).Configure(o => o with { NodeId = "node-2" }));
        var topicOne = await one.OpenTopicAsync(topic);
        var topicTwo = await two.OpenTopicAsync(topic);
        var asker = await one.SpawnAsync("Asker", () => new Asker(), topicOne);
        await two.SpawnAsync("Answerer", () => new Answerer(), topicTwo);
        return (one, two, topicOne, asker);
    }

    [Fact]
    public async Task ATaskAcrossTwoNodes_IsOneConnectedTrace()
    {
        var spans = new List<Activity>();
        using (var tracing = Sdk.CreateTracerProviderBuilder().AddSource(MurmurDiagnostics.Name).AddInMemoryExporter(spans).Build())
        {
            var (one, two, topic, asker) = await StartMeshAsync("trace-mesh");
            asker.Send("go");
            var answer = await topic.WaitForEventAsync(e => e.Action == "ANSWER").WaitAsync(Patience);
            var ask = topic.History.Single(e => e.Action == "ASK");
            await one.DisposeAsync(); // handlers finish, so their spans end
            await two.DisposeAsync();
            tracing.ForceFlush();

            Assert.NotNull(ask.TraceParent);
            var traceId = ActivityContext.Parse(ask.TraceParent, null).TraceId;
            Assert.Equal(traceId, ActivityContext.Parse(answer.TraceParent!, null).TraceId);
            var trace = spans.Where(s => s.TraceId == traceId).ToList();
            string? Tag(Activity a, string name) => a.GetTagItem(name) as string;

            var publishAsk = Assert.Single(trace, s => s.DisplayName == "publish ASK");
            Assert.Equal("node-1", Tag(publishAsk, MurmurDiagnostics.Tags.Node));
            Assert.Equal(default, publishAsk.ParentSpanId);
            var deliver = Assert.Single(trace, s => s.DisplayName == "deliver" && Tag(s, MurmurDiagnostics.Tags.Node) == "node-2" && Tag(s, MurmurDiagnostics.Tags.Action) == "ASK");
            Assert.Equal(publishAsk.SpanId, deliver.ParentSpanId);
            // The Answerer's turns on node-2: the one handed ASK (parented to its publish), and later the one
            // handed its own ANSWER; only the first published.
            var handle = Assert.Single(trace, s => s.DisplayName == "handle" && Tag(s, MurmurDiagnostics.Tags.Actor) == "Answerer" && s.ParentSpanId == publishAsk.SpanId);
            Assert.Equal("node-2", Tag(handle, MurmurDiagnostics.Tags.Node));
            var publishAnswer = Assert.Single(trace, s => s.DisplayName == "publish ANSWER");
            Assert.Equal("node-2", Tag(publishAnswer, MurmurDiagnostics.Tags.Node));
            Assert.Equal(handle.SpanId, publishAnswer.ParentSpanId);
            Assert.Contains(trace, s => s.DisplayName == "deliver" && Tag(s, MurmurDiagnostics.Tags.Node) == "node-1" && s.ParentSpanId == publishAnswer.SpanId);
            Assert.Equal(answer.Clock.ToString(), Tag(publishAnswer, MurmurDiagnostics.Tags.VectorClock));
            Assert.Equal(ask.Clock.ToString(), Tag(publishAsk, MurmurDiagnostics.Tags.VectorClock));
            Assert.All(trace.Where(s => s.DisplayName != "handle"), s => Assert.NotNull(Tag(s, MurmurDiagnostics.Tags.VectorClock)));
            Assert.Equal(answer.EventId, Tag(publishAnswer, MurmurDiagnostics.Tags.EventId));
        }
    }

    [Fact]
    public async Task NoListener_EventsCarryNoTraceParent()
    {
        var (one, two, topic, asker) = await StartMeshAsync("untraced-mesh");
        asker.Send("go");
        var answer = await topic.WaitForEventAsync(e => e.Action == "ANSWER").WaitAsync(Patience);
        await one.DisposeAsync();
        await two.DisposeAsync();

        Assert.Null(answer.TraceParent);
    }

    [Fact]
    public async Task EventCounters_CountPublishedAndDeliveredEventsPerTopic()
    {
        var metrics = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(MurmurDiagnostics.Name).AddInMemoryExporter(metrics).Build();
        var (one, two, topic, asker) = await StartMeshAsync("metrics-mesh");
        asker.Send("go");
        await topic.WaitForEventAsync(e => e.Action == "ANSWER").WaitAsync(Patience);
        await one.DisposeAsync();
        await two.DisposeAsync();
        meters.ForceFlush();

        Assert.Equal(2, Sum(metrics, "murmur.events.published", "metrics-mesh")); // ASK and ANSWER; JOINs are not publishes
        Assert.Equal(8, Sum(metrics, "murmur.events.delivered", "metrics-mesh")); // 2 JOINs + ASK + ANSWER, on each node
        Assert.True(Count(metrics, "murmur.handler.duration") > 0);
    }

    [Fact]
    public async Task SpeculationCounters_CountStartedCommittedAborted()
    {
        var metrics = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(MurmurDiagnostics.Name).AddInMemoryExporter(metrics).Build();
        await using (var node = await MurmurNode.StartAsync())
        {
            var topic = await node.OpenTopicAsync("spec-metrics");
            var producer = await node.SpawnAsync("Researcher", () => new Producer(), topic);
            await node.SpawnAsync("Coder", () => new Coder(), topic);

            var first = await node.Runtime.AskAsync<AgentEvent>(producer, "finding");
            await topic.WaitForEventAsync(e => e.Action == AiActions.Proposal && e.DependsOn.Contains(first.EventId)).WaitAsync(Patience);
            await node.Runtime.AskAsync<AgentEvent>(producer, "retract:" + first.EventId);
            await topic.WaitForEventAsync(e => e.Action == "REPLAN").WaitAsync(Patience);
            var second = await node.Runtime.AskAsync<AgentEvent>(producer, "finding");
            await topic.WaitForEventAsync(e => e.Action == AiActions.Proposal && e.DependsOn.Contains(second.EventId)).WaitAsync(Patience);
            await node.Runtime.AskAsync<AgentEvent>(producer, "complete");
            await topic.WaitForEventAsync(e => e.Action == "APPLIED").WaitAsync(Patience);
        }
        meters.ForceFlush();

        Assert.Equal(2, Sum(metrics, "murmur.speculation.started", "spec-metrics"));
        Assert.Equal(1, Sum(metrics, "murmur.speculation.aborted", "spec-metrics"));
        Assert.Equal(1, Sum(metrics, "murmur.speculation.committed", "spec-metrics"));
    }

    [Fact]
    public async Task RestartCounter_CountsACrashRestartUnderItsStrategy()
    {
        var metrics = new List<MetricSnapshot>();
        using var meters = Sdk.CreateMeterProviderBuilder().AddMeter(MurmurDiagnostics.Name).AddInMemoryExporter(metrics).Build();
        var probe = new Probe();
        await using (var node = await MurmurNode.StartAsync())
        {
            var crasher = await node.Runtime.SpawnAsync("Crasher", () => new Crasher(probe));
            crasher.Send("boom");
            await probe.SecondStart.WaitAsync(Patience);
        }
        meters.ForceFlush();

        Assert.Equal(1, Sum(metrics, "murmur.supervisor.restarts", "one_for_one", MurmurDiagnostics.Tags.Strategy));
    }

    /// <summary>The latest cumulative sum of a counter over the points tagged <paramref name="tagName"/> = <paramref name="tagValue"/>.</summary>
    private static long Sum(List<MetricSnapshot> metrics, string name, string tagValue, string tagName = MurmurDiagnostics.Tags.Topic)
    {
        var latest = metrics.LastOrDefault(m => m.Name == name);
        if (latest is null)
        {
            return 0;
        }
        long sum = 0;
        foreach (var point in latest.MetricPoints)
        {
            foreach (var tag in point.Tags)
            {
                if (tag.Key == tagName && Equals(tag.Value, tagValue))
                {
                    sum += point.GetSumLong();
                }
            }
        }
        return sum;
    }

    private static long Count(List<MetricSnapshot> metrics, string histogram)
    {
        var latest = metrics.LastOrDefault(m => m.Name == histogram);
        return latest is null ? 0 : latest.MetricPoints.Sum(p => p.GetHistogramCount());
    }

    /// <summary>Publishes what it is told: "finding", "complete", or "retract:&lt;event id&gt;", and replies with the event.</summary>
    private sealed class Producer : Agent
    {
        protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
        {
            var member = Topics[0];
            var published = message switch
            {
                "finding" => await member.PublishAsync(AiActions.Finding, new { text = "token logged" }, cancellationToken: cancellationToken),
                "complete" => await member.PublishAsync(Actions.TaskComplete, new { }, cancellationToken: cancellationToken),
                string s when s.StartsWith("retract:", StringComparison.Ordinal) =>
                    await member.PublishRawAsync(Actions.Retract, new Retraction(s[8..], "false positive").ToPayload(), cancellationToken: cancellationToken),
                _ => throw new InvalidOperationException($"unknown command {message}"),
            };
            Context.Reply(published);
        }
    }

    /// <summary>Drafts a proposal on each finding speculatively; reports aborts and commits.</summary>
    private sealed class Coder : Agent
    {
        protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
        {
            foreach (var finding in view.FromOthers.Where(e => e.Action == AiActions.Finding && !view.IsReplay))
            {
                await using var speculation = view.Speculate(finding);
                await speculation.PublishAsync(AiActions.Proposal, new { draft = "patch" }, cancellationToken);
            }
        }

        protected override async ValueTask OnSpeculationAbortedAsync(Speculation aborted, CancellationToken cancellationToken)
            => await Topics[0].PublishAsync("REPLAN", new { aborted = aborted.Id }, cancellationToken: cancellationToken);

        protected override async ValueTask OnSpeculationCommittedAsync(Speculation committed, CancellationToken cancellationToken)
            => await Topics[0].PublishAsync("APPLIED", new { committed = committed.Id }, cancellationToken: cancellationToken);
    }
}
