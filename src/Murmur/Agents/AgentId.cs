using System.Globalization;

namespace Murmur.Agents;

/// <summary>
/// The identity of an agent, printed as the <c>actor</c> of its events (e.g. <c>Researcher_Agent_3</c>).
/// Named ids are unique within a runtime; anonymous children get a serial id such as <c>$42</c>.
/// </summary>
/// <remarks>A 16-byte value type: comparing or copying it never allocates.</remarks>
public readonly struct AgentId : IEquatable<AgentId>
{
    /// <summary>The longest name accepted, in UTF-16 code units.</summary>
    public const int MaxLength = 256;

    private readonly string? _name;
    private readonly long _serial;

    private AgentId(string? name, long serial)
    {
        _name = name;
        _serial = serial;
    }

    /// <summary>True for an id created from a name; false for a serial id of an anonymous agent.</summary>
    public bool IsNamed => _name is not null;

    /// <summary>True for the default value, which names no agent.</summary>
    public bool IsEmpty => _name is null && _serial == 0;

    /// <summary>Creates a named id, validating it.</summary>
    /// <exception cref="ArgumentException">The name is empty, longer than <see cref="MaxLength"/>, starts with <c>$</c> or holds a control character.</exception>
    public static AgentId Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0)
        {
            throw new ArgumentException("An agent id must not be empty.", nameof(name));
        }
        if (name.Length > MaxLength)
        {
            throw new ArgumentException($"An agent id must be at most {MaxLength} characters; got {name.Length}.", nameof(name));
        }
        if (name[0] == '$')
        {
            throw new ArgumentException($"Agent id '{name}' starts with '$', which is reserved for anonymous agents.", nameof(name));
        }
        foreach (var c in name)
        {
            if (char.IsControl(c) || char.IsWhiteSpace(c))
            {
                throw new ArgumentException($"Agent id '{name}' holds a control or white-space character (U+{(int)c:X4}).", nameof(name));
            }
        }
        return new AgentId(name, 0);
    }

    internal static AgentId Anonymous(long serial) => new(null, serial);

    /// <summary>A runtime-internal name that user ids cannot take (they may not start with <c>$</c>).</summary>
    internal static AgentId Reserved(string name) => new(name, 0);

    /// <summary>Converts a name to an id; see <see cref="Of"/>.</summary>
    public static implicit operator AgentId(string name) => Of(name);

    /// <inheritdoc/>
    public bool Equals(AgentId other) => _serial == other._serial && string.Equals(_name, other._name, StringComparison.Ordinal);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is AgentId other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => _name is null ? _serial.GetHashCode() : StringComparer.Ordinal.GetHashCode(_name);

    /// <inheritdoc/>
    public override string ToString() => _name ?? (_serial == 0 ? "(none)" : "$" + _serial.ToString(CultureInfo.InvariantCulture));

    /// <summary>Equality.</summary>
    public static bool operator ==(AgentId left, AgentId right) => left.Equals(right);

    /// <summary>Inequality.</summary>
    public static bool operator !=(AgentId left, AgentId right) => !left.Equals(right);
}
