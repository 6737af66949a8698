using Murmur.Events;

namespace Murmur.Cli.Trace;

/// <summary>One delivered event placed on the diagram.</summary>
/// <param name="Index">Its position in delivery order (the diagram's column).</param>
/// <param name="Lane">The roster index of its actor (the diagram's row).</param>
/// <param name="Event">The event.</param>
internal sealed record TraceNode(int Index, int Lane, AgentEvent Event)
{
    /// <summary>The actor's own clock entry: its sequence number within the lane.</summary>
    public ulong OwnEntry => Event.Clock[Lane];

    /// <summary>True when the event is speculative work (it carries <c>depends_on</c>).</summary>
    public bool IsSpeculative => Event.DependsOn.Count > 0;
}
