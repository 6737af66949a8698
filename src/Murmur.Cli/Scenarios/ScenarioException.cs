namespace Murmur.Cli.Scenarios;

/// <summary>A scenario file is malformed; the message points at the file, line and column.</summary>
internal sealed class ScenarioException(string message) : Exception(message);
