namespace Murmur.Cli.Trace;

/// <summary>An edge of the diagram from one event to a later one.</summary>
internal sealed record TraceArrow(TraceNode From, TraceNode To, ArrowKind Kind);
