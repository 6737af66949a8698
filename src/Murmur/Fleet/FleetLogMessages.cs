using Microsoft.Extensions.Logging;

namespace Murmur.Fleet;

/// <summary>Source-generated log messages of the fleet.</summary>
internal static partial class FleetLogMessages
{
    [LoggerMessage(60, LogLevel.Warning, "Node {Node} is suspected (phi {Phi:0.0}); declaring incarnation {Incarnation} down")]
    public static partial void Suspected(ILogger logger, string node, long incarnation, double phi);

    [LoggerMessage(61, LogLevel.Warning, "Node {Node} (incarnation {Incarnation}) is down, declared by {By}")]
    public static partial void Down(ILogger logger, string node, long incarnation, string by);

    [LoggerMessage(62, LogLevel.Information, "Took over {Agent} ({Kind}) in topic {Topic} from node {From} at epoch {Epoch}")]
    public static partial void TookOver(ILogger logger, string agent, string kind, string topic, string from, ulong epoch);

    [LoggerMessage(63, LogLevel.Warning, "Refused a membership record of {Node}: {Problem}")]
    public static partial void Refused(ILogger logger, string node, string problem);

    [LoggerMessage(64, LogLevel.Warning, "Refused a record of the fleet topic at position {Position}: {Problem}")]
    public static partial void RefusedDown(ILogger logger, long position, string problem);

    [LoggerMessage(65, LogLevel.Warning, "Could not take over {Agent} in topic {Topic}")]
    public static partial void TakeoverFailed(ILogger logger, string agent, string topic, Exception exception);

    [LoggerMessage(66, LogLevel.Warning, "Fleet I/O failed ({What}); trying again")]
    public static partial void IoFailed(ILogger logger, string what, Exception exception);

    [LoggerMessage(67, LogLevel.Error, "This node (incarnation {Incarnation}) was declared down by {By}: its agents are taken over elsewhere")]
    public static partial void SelfDown(ILogger logger, long incarnation, string by);

    [LoggerMessage(68, LogLevel.Warning, "This node stood still for {Milliseconds:0} ms (paused or starved): the silence it measured is its own, so nobody is judged until its own heartbeat comes back, and the stretch is not counted against anyone")]
    public static partial void SelfPaused(ILogger logger, double milliseconds);

    [LoggerMessage(69, LogLevel.Warning, "Ignored the NODE_DOWN of {Node} by {By}: {By} was itself declared down earlier in the log")]
    public static partial void VoidDown(ILogger logger, string node, string by);

    [LoggerMessage(70, LogLevel.Warning, "This node's own announcements have not come back from the membership store for {Milliseconds:0} ms: no node is judged until the store reaches this node again")]
    public static partial void StoreStalled(ILogger logger, double milliseconds);

    [LoggerMessage(72, LogLevel.Information, "Forgot node {Node} (incarnation {Incarnation}, {State}): its record is removed from the membership store")]
    public static partial void Forgot(ILogger logger, string node, long incarnation, string state);

    [LoggerMessage(73, LogLevel.Warning, "Records of this node ({Node}) were removed from the membership store by a node that took it for gone: they go out again with the next heartbeat")]
    public static partial void PutBack(ILogger logger, string node);

    [LoggerMessage(71, LogLevel.Information, "The membership store reaches this node again: {Milliseconds:0} ms of its delay are not counted as anyone's silence")]
    public static partial void StoreRecovered(ILogger logger, double milliseconds);
}
