namespace Murmur.Supervision;

/// <summary>What a supervisor does with a crashed child, as decided by <see cref="SupervisorStrategy.Decider"/>.</summary>
public enum SupervisorDirective
{
    /// <summary>Keep the instance and its state; continue with the next message.</summary>
    Resume,

    /// <summary>Apply the child's restart type and the strategy (the OTP behaviour).</summary>
    Restart,

    /// <summary>Terminate the child for good.</summary>
    Stop,

    /// <summary>Fail the supervisor itself with the same exception, handing the decision to its own supervisor.</summary>
    Escalate,
}
