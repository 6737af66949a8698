using System.Text.Json;

namespace Murmur.AI.Tools.Mesh;

/// <summary>The answer to a request sent through a node's inbox (a remote tool call or spawn).</summary>
/// <param name="Ok">True when the host ran the tool (or spawned the agent) and it succeeded.</param>
/// <param name="Result">The tool's result, or the spawned agent's id, when <paramref name="Ok"/>.</param>
/// <param name="Error">Why not, when not <paramref name="Ok"/> (refused, failed, timed out, outcome unknown).</param>
/// <param name="Host">The node that answered; null when none did.</param>
/// <param name="RoundTrip">From the request's append to its answer's delivery on the caller's node.</param>
/// <param name="HostElapsed">How long the tool itself ran on the host, when it says.</param>
public sealed record RemoteReply(bool Ok, JsonElement Result, string? Error, string? Host, TimeSpan RoundTrip, TimeSpan? HostElapsed)
{
    internal static RemoteReply Failed(string error, string? host = null, TimeSpan roundTrip = default)
        => new(false, default, error, host, roundTrip, null);
}
