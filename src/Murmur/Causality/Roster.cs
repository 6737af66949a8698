using Murmur.Events;

namespace Murmur.Causality;

/// <summary>
/// The ordered members of a topic: member <c>i</c> owns entry <c>i</c> of the topic's vector clocks.
/// </summary>
/// <remarks>
/// Immutable: <see cref="Add"/> returns a new roster, so a roster can be shared between threads and a
/// decoder can validate against a snapshot while a <see cref="CausalBuffer"/> grows its own.
/// The order comes from the log's order of <c>JOIN</c> events (<see cref="FromJoins"/>) or from an
/// explicit list, so every node that reads the same log derives the same roster.
/// </remarks>
public sealed class Roster
{
    private readonly string[] _members;
    private readonly Dictionary<string, int> _indices;

    private Roster(string[] members, Dictionary<string, int> indices)
    {
        _members = members;
        _indices = indices;
    }

    /// <summary>The roster with no members.</summary>
    public static Roster Empty { get; } = new([], new Dictionary<string, int>(StringComparer.Ordinal));

    /// <summary>The number of members.</summary>
    public int Count => _members.Length;

    /// <summary>The members, in index order.</summary>
    public IReadOnlyList<string> Members => _members;

    /// <summary>The member that owns clock entry <paramref name="index"/>.</summary>
    public string this[int index] => _members[index];

    /// <summary>Creates a roster from an explicit member list; member <c>i</c> gets index <c>i</c>.</summary>
    /// <exception cref="ArgumentException">A member is empty or listed twice.</exception>
    public static Roster Of(IEnumerable<string> members)
    {
        ArgumentNullException.ThrowIfNull(members);
        var roster = Empty;
        foreach (var m in members)
        {
            roster = roster.Add(m);
        }
        return roster;
    }

    /// <summary>Creates a roster from an explicit member list; member <c>i</c> gets index <c>i</c>.</summary>
    /// <exception cref="ArgumentException">A member is empty or listed twice.</exception>
    public static Roster Of(params string[] members) => Of((IEnumerable<string>)members);

    /// <summary>Derives the roster from a log: the actors of its <c>JOIN</c> events, in log order (repeated joins ignored).</summary>
    public static Roster FromJoins(IEnumerable<AgentEvent> log)
    {
        ArgumentNullException.ThrowIfNull(log);
        var roster = Empty;
        foreach (var e in log)
        {
            if (e.Action == Actions.Join && !roster.Contains(e.Actor))
            {
                roster = roster.Add(e.Actor);
            }
        }
        return roster;
    }

    /// <summary>The index of <paramref name="actor"/>, or -1 when it is not a member.</summary>
    public int IndexOf(string actor) => _indices.TryGetValue(actor, out var i) ? i : -1;

    /// <summary>True when <paramref name="actor"/> is a member.</summary>
    public bool Contains(string actor) => _indices.ContainsKey(actor);

    /// <summary>Returns a roster with <paramref name="actor"/> appended at index <see cref="Count"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="actor"/> is empty or already a member.</exception>
    public Roster Add(string actor)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        if (_indices.ContainsKey(actor))
        {
            throw new ArgumentException($"'{actor}' is already a member of the roster (index {_indices[actor]}).", nameof(actor));
        }
        var members = new string[_members.Length + 1];
        _members.CopyTo(members, 0);
        members[^1] = actor;
        return new Roster(members, new Dictionary<string, int>(_indices, StringComparer.Ordinal) { [actor] = _members.Length });
    }

    /// <summary>Lists the members, e.g. <c>[A, B, C]</c>.</summary>
    public override string ToString() => "[" + string.Join(", ", _members) + "]";
}
