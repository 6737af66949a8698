namespace Murmur.Topics;

/// <summary>How the members of a topic see each other's events; chosen per topic.</summary>
public enum Consistency
{
    /// <summary>Causal delivery: an agent acts on each event as soon as its causes were delivered (autonomous, fast).</summary>
    Eventual,

    /// <summary>Rounds: in round r every member sees exactly the events of rounds before r, in the log's order (consistent).</summary>
    Strict,
}
