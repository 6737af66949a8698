using System.Text.Json;
using Murmur.Events;

namespace Murmur.Cli.Demo;

/// <summary>
/// Reads the demo's payloads from events of other agents, which are untrusted input (docs/protocol/schema/): each
/// reader returns null and a reason instead of throwing, so a malformed or hostile payload is answered, never a crash.
/// </summary>
internal static class DemoPayloads
{
    /// <summary>A <c>FINDING</c>'s file and line, checked to lie inside <paramref name="root"/>; null with a reason otherwise.</summary>
    public static (string Path, int Line)? ReadFinding(AgentEvent e, string root, out string? reason)
    {
        if (Object(e, out reason) is not { } payload)
        {
            return null;
        }
        if (!payload.TryGetProperty("path", out var path) || path.ValueKind != JsonValueKind.String)
        {
            reason = "payload.path must be a string (the file, relative to the tree)";
            return null;
        }
        if (!payload.TryGetProperty("line", out var line) || line.ValueKind != JsonValueKind.Number || !line.TryGetInt32(out var number) || number < 1)
        {
            reason = "payload.line must be an integer of at least 1";
            return null;
        }
        var relative = path.GetString()!;
        return InsideTree(root, relative, out reason) ? (relative, number) : null;
    }

    /// <summary>A <c>PROPOSAL</c>'s fix, with every field present and its path inside <paramref name="root"/>; null with a reason otherwise.</summary>
    public static Fix? ReadFix(AgentEvent e, string root, out string? reason)
    {
        if (Object(e, out reason) is not { } payload)
        {
            return null;
        }
        Fix? fix;
        try
        {
            fix = payload.Deserialize<Fix>();
        }
        catch (JsonException ex)
        {
            reason = $"payload is not a fix: {ex.Message}";
            return null;
        }
        if (fix is null || fix.Path is null || fix.Before is null || fix.After is null || fix.Finding is null || fix.UnifiedDiff is null || fix.Line < 1)
        {
            reason = "payload needs path, line (≥ 1), before, after, finding and unified_diff";
            return null;
        }
        return InsideTree(root, fix.Path, out reason) ? fix : null;
    }

    /// <summary>The proposal a <c>REVIEW</c> answers, or null with a reason.</summary>
    public static string? ReadReviewed(AgentEvent e, out string? reason)
    {
        if (Object(e, out reason) is not { } payload)
        {
            return null;
        }
        if (payload.TryGetProperty("proposal", out var proposal) && proposal.ValueKind == JsonValueKind.String)
        {
            return proposal.GetString();
        }
        reason = "payload.proposal must be the reviewed proposal's event id";
        return null;
    }

    private static JsonElement? Object(AgentEvent e, out string? reason)
    {
        try
        {
            var payload = e.GetPayload();
            if (payload.ValueKind == JsonValueKind.Object)
            {
                reason = null;
                return payload;
            }
            reason = $"payload must be a JSON object, not {payload.ValueKind}";
        }
        catch (JsonException ex)
        {
            reason = $"payload is not JSON: {ex.Message}";
        }
        return null;
    }

    /// <summary>True when <paramref name="relative"/> names a file inside <paramref name="root"/> (no absolute path, no way out by "..").</summary>
    private static bool InsideTree(string root, string relative, out string? reason)
    {
        reason = null;
        if (relative.Length == 0 || Path.IsPathRooted(relative) || relative.Contains('\0', StringComparison.Ordinal))
        {
            reason = $"payload.path '{Short(relative)}' must be a relative path inside the tree";
            return false;
        }
        var full = Path.GetFullPath(Path.Combine(root, relative));
        var top = Path.GetFullPath(root).TrimEnd(Path.DirectorySeparatorChar) + Path.DirectorySeparatorChar;
        if (!full.StartsWith(top, StringComparison.Ordinal))
        {
            reason = $"payload.path '{Short(relative)}' leads out of the tree";
            return false;
        }
        if (!File.Exists(full))
        {
            reason = $"payload.path '{Short(relative)}' is not a file of the tree";
            return false;
        }
        return true;
    }

    private static string Short(string text) => text.Length > 80 ? text[..80] + "…" : text;
}
