namespace Murmur.Topics;

/// <summary>An event a node refused, kept with the reason so a person can list and inspect it.</summary>
/// <param name="Topic">The topic it was read from.</param>
/// <param name="Position">Its position in the topic's log, or 0 when it never reached the log.</param>
/// <param name="EventId">Its id when one could be read, else null.</param>
/// <param name="Reason">Why it was refused, naming the field and the rule.</param>
/// <param name="Excerpt">The start of the raw bytes as text (at most 256 characters).</param>
public sealed record DeadLetterEvent(string Topic, long Position, string? EventId, string Reason, string Excerpt);
