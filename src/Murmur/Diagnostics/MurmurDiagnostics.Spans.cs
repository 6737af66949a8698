using System.Diagnostics;
using System.Diagnostics.Metrics;
using Murmur.Events;
using Murmur.Supervision;
using Murmur.Topics;

namespace Murmur.Diagnostics;

/// <summary>The spans the core starts; every helper returns null at once when nobody listens.</summary>
public static partial class MurmurDiagnostics
{
    /// <summary>Most events a handle span links to besides its parent, so a large catch-up view stays a small span.</summary>
    private const int MaxLinks = 32;

    /// <summary>A <c>publish {action}</c> span, child of the current activity (the handler turn that publishes, if traced).</summary>
    internal static Activity? StartPublish(string node, string topic, string actor, string action)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var activity = Source.StartActivity("publish " + action, ActivityKind.Producer);
        activity?.SetTag(Tags.Node, node).SetTag(Tags.Topic, topic).SetTag(Tags.Actor, actor).SetTag(Tags.Action, action);
        return activity;
    }

    /// <summary>Completes a publish span with what the runtime stamped on the event.</summary>
    internal static void Published(Activity? activity, AgentEvent @event)
    {
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Tags.EventId, @event.EventId).SetTag(Tags.VectorClock, @event.Clock.ToString());
        }
    }

    /// <summary>The W3C <c>traceparent</c> of <paramref name="activity"/> (else of the ambient activity), to travel with the event; null when not traced.</summary>
    internal static string? TraceParentOf(Activity? activity)
        => (activity ?? Activity.Current) is { IdFormat: ActivityIdFormat.W3C } traced ? traced.Id : null;

    /// <summary>A <c>deliver</c> span for an event delivered on a node, parented to the context the event carries.</summary>
    internal static void RecordDeliver(string node, string topic, AgentEvent @event)
    {
        if (@event.TraceParent is null || !Source.HasListeners()
            || !ActivityContext.TryParse(@event.TraceParent, null, isRemote: true, out var parent))
        {
            return;
        }
        using var activity = Source.StartActivity("deliver", ActivityKind.Consumer, parent);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Tags.Node, node).SetTag(Tags.Topic, topic).SetTag(Tags.Actor, @event.Actor).SetTag(Tags.Action, @event.Action)
                .SetTag(Tags.EventId, @event.EventId).SetTag(Tags.VectorClock, @event.Clock.ToString());
        }
    }

    /// <summary>
    /// A <c>handle</c> span for a turn that hands topic events to an agent: its parent is the newest event that
    /// carries a trace context (so the trace follows the task into this agent), and it links the others.
    /// </summary>
    internal static Activity? StartHandle(TopicView view)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        ActivityContext parent = default;
        List<ActivityLink>? links = null;
        var events = view.New;
        for (var i = events.Count - 1; i >= 0; i--)
        {
            if (events[i].TraceParent is not { } traceParent || !ActivityContext.TryParse(traceParent, null, isRemote: true, out var context))
            {
                continue;
            }
            if (parent == default)
            {
                parent = context;
            }
            else if ((links ??= []).Count < MaxLinks)
            {
                links.Add(new ActivityLink(context));
            }
        }
        var member = view.Member;
        var activity = Source.StartActivity("handle", ActivityKind.Consumer, parent, links: links);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(Tags.Node, member.Host.NodeId).SetTag(Tags.Topic, member.Topic).SetTag(Tags.Actor, member.Actor).SetTag(Tags.EventCount, events.Count)
                .SetTag(Tags.VectorClock, member.Seen.ToString());
        }
        return activity;
    }

    /// <summary>The start timestamp of a handler when its duration is measured, else 0.</summary>
    internal static long HandlerStarted() => HandlerDuration.Enabled ? Stopwatch.GetTimestamp() : 0;

    /// <summary>Records a handler's duration if <paramref name="started"/> came from <see cref="HandlerStarted"/>.</summary>
    internal static void HandlerEnded(long started)
    {
        if (started != 0)
        {
            HandlerDuration.Record(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    /// <summary>Counts a supervisor restart under its strategy's OTP name.</summary>
    internal static void Restarted(SupervisionKind kind)
    {
        if (SupervisorRestarts.Enabled)
        {
            SupervisorRestarts.Add(1, new KeyValuePair<string, object?>(Tags.Strategy, kind switch
            {
                SupervisionKind.OneForOne => "one_for_one",
                SupervisionKind.OneForAll => "one_for_all",
                SupervisionKind.RestForOne => "rest_for_one",
                _ => "other",
            }));
        }
    }

    /// <summary>Adds one to a counter tagged with the topic.</summary>
    internal static void Count(Counter<long> counter, string topic)
    {
        if (counter.Enabled)
        {
            counter.Add(1, new KeyValuePair<string, object?>(Tags.Topic, topic));
        }
    }
}
