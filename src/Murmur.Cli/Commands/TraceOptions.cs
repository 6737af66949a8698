using Murmur.Causality;

namespace Murmur.Cli.Commands;

/// <summary>The parsed arguments of <see cref="TraceCommand"/>: the log, the outputs to write, and the roster if fixed.</summary>
internal sealed record TraceOptions(string Log, string? Html, string? ShiViz, Roster? Roster);
