using System.Net;
using Murmur.Security;

namespace Murmur.Cli.Dashboard;

/// <summary>Where the dashboard listens and what it may do.</summary>
internal sealed record DashboardOptions
{
    /// <summary>The address to bind (loopback unless told otherwise).</summary>
    public IPAddress Bind { get; init; } = IPAddress.Loopback;

    /// <summary>The port; 0 picks a free one.</summary>
    public int Port { get; init; } = 8088;

    /// <summary>Whether the page may approve and deny (read-only otherwise).</summary>
    public bool AllowApprovals { get; init; }

    /// <summary>Who decides from the page (with signing, the key's node).</summary>
    public string Principal { get; init; } = Environment.UserName;

    /// <summary>Topics the page follows besides the announced tasks' (none by default): listed with their dead letters and diagrams.</summary>
    public IReadOnlyList<string> Topics { get; init; } = [];

    /// <summary>How often the page gets the nodes' state and the dead letters when no approval changed.</summary>
    public TimeSpan Refresh { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How many of a topic's most recent events its space-time diagram draws (the page says when older ones are left out).</summary>
    public int DiagramEvents { get; init; } = 200;

    /// <summary>Signs decisions and verifies the approvals topic, when the mesh signs events.</summary>
    public EventSigning? Signing { get; init; }
}
