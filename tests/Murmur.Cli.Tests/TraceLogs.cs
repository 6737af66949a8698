namespace Murmur.Cli.Tests;

/// <summary>Hand-written logs for the trace tests.</summary>
internal static class TraceLogs
{
    /// <summary>
    /// Two members, two strict rounds, a speculative PROPOSAL (depends_on b1), a commit, a hostile payload and one
    /// broken line (line 9). Delivery order: ja jb a1 b1 ad bd a2 b2.
    /// </summary>
    public static readonly string[] Small =
    [
        """{"event_id":"ja","actor":"A","action":"JOIN","payload":{},"vector_clock":[1],"round":1}""",
        """{"event_id":"jb","actor":"B","action":"JOIN","payload":{},"vector_clock":[1,1],"round":1}""",
        """{"event_id":"a1","actor":"A","action":"FINDING","payload":{"text":"<script>alert(1)</script>"},"vector_clock":[2,1],"round":1}""",
        """{"event_id":"b1","actor":"B","action":"MESSAGE","payload":{"text":"hi"},"vector_clock":[1,2],"round":1}""",
        """{"event_id":"ad","actor":"A","action":"ROUND_DONE","payload":{},"vector_clock":[3,1],"round":1}""",
        """{"event_id":"bd","actor":"B","action":"ROUND_DONE","payload":{},"vector_clock":[3,3],"round":1}""",
        """{"event_id":"a2","actor":"A","action":"PROPOSAL","payload":{"path":"x.cs"},"vector_clock":[4,3],"round":2,"depends_on":["b1"]}""",
        """{"event_id":"b2","actor":"B","action":"SPECULATION_COMMIT","payload":{},"vector_clock":[4,4],"round":2}""",
        """{"event_id":"<b>bad</b>","actor":"B",""",
    ];

    /// <summary>The path of the realistic researcher/coder/reviewer log copied next to the tests.</summary>
    public static string AuthToken => Path.Combine(AppContext.BaseDirectory, "Data", "auth-token.jsonl");
}
