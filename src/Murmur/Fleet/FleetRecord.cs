using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Murmur.Fleet;

/// <summary>Decoding a membership store's records, which are untrusted input (any node, or anyone, can write them).</summary>
internal static class FleetRecord
{
    /// <summary>
    /// Decodes <paramref name="record"/> as <typeparamref name="T"/> and checks it; null, with the reason in
    /// <paramref name="problem"/>, when it is malformed or <paramref name="check"/> refuses it.
    /// </summary>
    public static T? Decode<T>(MembershipRecord record, JsonTypeInfo<T> type, string what, Func<T, string?> check, out string? problem)
        where T : class
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize(record.Data.Span, type);
        }
        catch (JsonException ex)
        {
            problem = $"not {what} ({ex.Message})";
            return null;
        }
        problem = value is null ? $"not {what} (null)" : check(value);
        return problem is null ? value : null;
    }
}
