namespace Murmur.Fleet;

/// <summary>How a node sees another node of its fleet.</summary>
public enum FleetMemberState
{
    /// <summary>Heartbeats arrive as expected.</summary>
    Alive,

    /// <summary>Late: φ reached half the threshold (and, at the threshold, this node declares it down).</summary>
    Suspected,

    /// <summary>A <c>NODE_DOWN</c> for this incarnation is in the log; its agents are taken over.</summary>
    Down,

    /// <summary>It stopped on purpose (its last announcement says so).</summary>
    Left,

    /// <summary>Announced, but not seen beating since this node started: a live node beats soon; a dead one's last record stays.</summary>
    Unknown,
}

/// <summary>One node as this node sees it.</summary>
/// <param name="Announcement">Its last announcement.</param>
/// <param name="State">Its state.</param>
/// <param name="Phi">φ of its silence now (0 for this node itself).</param>
public sealed record FleetMember(NodeAnnouncement Announcement, FleetMemberState State, double Phi);
