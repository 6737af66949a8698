namespace Murmur.Supervision;

/// <summary>Which children a supervisor restarts when one of them ends (Erlang/OTP restart strategies).</summary>
public enum SupervisionKind
{
    /// <summary>Only the child that ended is restarted.</summary>
    OneForOne,

    /// <summary>All other children are stopped (in reverse start order), then all are restarted in start order.</summary>
    OneForAll,

    /// <summary>The children started after the one that ended are stopped (in reverse order), then it and they are restarted in start order.</summary>
    RestForOne,
}
