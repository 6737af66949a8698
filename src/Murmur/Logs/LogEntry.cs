namespace Murmur.Logs;

/// <summary>A record read from a topic.</summary>
/// <param name="Position">Its position in the topic.</param>
/// <param name="EventId">The id it was appended with.</param>
/// <param name="Data">The bytes as appended; a reader must validate them (another node may be faulty or hostile).</param>
public readonly record struct LogEntry(long Position, string EventId, ReadOnlyMemory<byte> Data);
