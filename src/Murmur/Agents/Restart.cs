namespace Murmur.Agents;

/// <summary>When a supervisor restarts a child that ended (Erlang/OTP child restart types).</summary>
public enum Restart
{
    /// <summary>Always restarted, whatever the exit reason.</summary>
    Permanent,

    /// <summary>Restarted only after an abnormal exit (not normal, not shutdown).</summary>
    Transient,

    /// <summary>Never restarted, not even when a sibling's failure restarts the others.</summary>
    Temporary,
}
