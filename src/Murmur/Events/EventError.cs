namespace Murmur.Events;

/// <summary>Why an event was refused: the field at fault and a reason a person can read.</summary>
/// <param name="Field">
/// The envelope field at fault (e.g. <c>vector_clock</c>, <c>payload</c>), or <c>$</c> for the document as a whole.
/// </param>
/// <param name="Kind">The kind of fault, for counters and tests.</param>
/// <param name="Reason">A sentence naming the fault, e.g. <c>entry 2 is negative (-1)</c>.</param>
public sealed record EventError(string Field, EventErrorKind Kind, string Reason)
{
    /// <summary>Formats as <c>field: reason</c>, or just the reason when it already names the field.</summary>
    public override string ToString()
        => Field == "$" || Reason.StartsWith(Field, StringComparison.Ordinal) ? Reason : $"{Field}: {Reason}";
}
