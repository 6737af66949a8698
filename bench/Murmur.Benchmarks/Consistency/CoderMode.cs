namespace Murmur.Benchmarks.Consistency;

/// <summary>When the coder and reviewer of a topic system act on a finding.</summary>
internal enum CoderMode
{
    /// <summary>Strict topic: in the round after the finding's round (provisional or not).</summary>
    Rounds,

    /// <summary>Eventual topic: only after the finding's researcher sent TASK_COMPLETE.</summary>
    AfterComplete,

    /// <summary>Eventual topic: at once, inside a speculation that commits on TASK_COMPLETE and aborts on RETRACT.</summary>
    Speculate,
}
