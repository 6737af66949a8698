namespace Murmur.Logs;

/// <summary>A record to append: the encoded event and its id, which makes appends idempotent.</summary>
/// <param name="EventId">The event's <c>event_id</c>.</param>
/// <param name="Data">The encoded event (UTF-8 JSON envelope).</param>
public readonly record struct LogRecord(string EventId, ReadOnlyMemory<byte> Data);
