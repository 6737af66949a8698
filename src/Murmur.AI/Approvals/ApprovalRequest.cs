using System.Text.Json;

namespace Murmur.AI.Approvals;

/// <summary>A tool call that waits for a person's decision, as the approvals topic holds it.</summary>
/// <param name="CallId">The event id of the call's <c>TOOL_CALL</c>; decisions name it.</param>
/// <param name="Topic">The agent topic the call was made in.</param>
/// <param name="Actor">The agent that made the call.</param>
/// <param name="Tool">The tool's name.</param>
/// <param name="Arguments">The call's arguments (a JSON object).</param>
/// <param name="Reason">Why it needs approval.</param>
/// <param name="RequestedAt">When it was requested (milliseconds since the Unix epoch, by the requesting node's clock).</param>
/// <param name="ExpiresAt">When it expires, or null when it waits for ever.</param>
public sealed record ApprovalRequest(string CallId, string Topic, string Actor, string Tool, JsonElement Arguments, string Reason, long RequestedAt, long? ExpiresAt);
