namespace Murmur.Cli.Tests;

public sealed class CausalCommandTests : IDisposable
{
    // Coulouris et al.'s vector-timestamp figure, in reverse arrival order.
    private static readonly string[] Diagram =
    [
        """{"event_id":"f","actor":"p3","action":"MESSAGE","payload":{},"vector_clock":[2,2,2]}""",
        """{"event_id":"e","actor":"p3","action":"MESSAGE","payload":{},"vector_clock":[0,0,1]}""",
        """{"event_id":"d","actor":"p2","action":"MESSAGE","payload":{},"vector_clock":[2,2,0]}""",
        """{"event_id":"c","actor":"p2","action":"MESSAGE","payload":{},"vector_clock":[2,1,0]}""",
        """{"event_id":"b","actor":"p1","action":"MESSAGE","payload":{},"vector_clock":[2,0,0]}""",
        """{"event_id":"a","actor":"p1","action":"MESSAGE","payload":{},"vector_clock":[1,0,0]}""",
    ];

    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Diagram_IsDeliveredInCausalOrder_WithItsConcurrentPairs()
    {
        var (exit, stdout, stderr) = CliRun.Run("causal", _cli.File(Diagram), "--roster", "p1,p2,p3");

        Assert.Equal(0, exit);
        Assert.Equal(
            """{"delivered":["e","a","b","c","d","f"],"concurrent":[["e","a"],["e","b"],["e","c"],["e","d"]],"duplicates":[],"rejected":[],"undeliverable":[]}""",
            stdout.Trim());
        Assert.Equal("", stderr);
    }

    [Fact]
    public void Joins_DefineTheRoster_WhenNoRosterIsGiven()
    {
        var file = _cli.File(
            """{"event_id":"b1","actor":"B","action":"MESSAGE","payload":{},"vector_clock":[1,2]}""",
            """{"event_id":"jb","actor":"B","action":"JOIN","payload":{"role":"coder"},"vector_clock":[1,1]}""",
            """{"event_id":"ja","actor":"A","action":"JOIN","payload":{},"vector_clock":[1]}""");

        var (exit, stdout, _) = CliRun.Run("causal", file);

        Assert.Equal(0, exit);
        Assert.StartsWith("""{"delivered":["ja","jb","b1"],"concurrent":[]""", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void ByteOrderMark_AndCrLfLineEnds_AreAccepted()
    {
        var path = _cli.File();
        File.WriteAllText(path, "\uFEFF" + string.Join("\r\n", Diagram) + "\r\n", new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

        var (exit, stdout, _) = CliRun.Run("causal", path, "--roster=p1,p2,p3");

        Assert.Equal(0, exit);
        Assert.StartsWith("""{"delivered":["e","a","b","c","d","f"]""", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void NewcomersConflictingEarlyEvent_IsReportedAsRejected_OnceItsJoinIsDelivered()
    {
        var file = _cli.File(
            """{"event_id":"b2","actor":"B","action":"MESSAGE","payload":{},"vector_clock":[1,2]}""",
            """{"event_id":"b2-other","actor":"B","action":"MESSAGE","payload":{},"vector_clock":[1,2]}""",
            """{"event_id":"jb","actor":"B","action":"JOIN","payload":{},"vector_clock":[1,1]}""",
            """{"event_id":"ja","actor":"A","action":"JOIN","payload":{},"vector_clock":[1]}""");

        var (exit, stdout, _) = CliRun.Run("causal", file);

        Assert.Equal(1, exit);
        Assert.Contains("""{"delivered":["ja","jb","b2"]""", stdout, StringComparison.Ordinal);
        Assert.Contains("""{"line":2,"event_id":"b2-other","reason":"refused when the JOIN of 'B' was delivered""", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicates_AreListed_AndDoNotFailTheRun()
    {
        var (exit, stdout, _) = CliRun.Run("causal", _cli.File([.. Diagram, Diagram[0], Diagram[5]]), "--roster", "p1,p2,p3");

        Assert.Equal(0, exit);
        Assert.Contains("\"duplicates\":[\"f\",\"a\"]", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public void RejectedLines_AreReportedWithLineNumbers_AndExitOne()
    {
        var file = _cli.File(
            """{"event_id":"a1","actor":"A","action":"MESSAGE","payload":{},"vector_clock":[1]}""",
            "",
            "this is not json",
            """{"event_id":"x","actor":"A","action":"MESSAGE","vector_clock":[-1]}""",
            """{"event_id":"a1-again","actor":"A","action":"MESSAGE","payload":{},"vector_clock":[1]}""",
            """{"event_id":"z","actor":"Z","action":"MESSAGE","payload":{},"vector_clock":[0,1]}""");

        var (exit, stdout, stderr) = CliRun.Run("causal", file, "--roster", "A,B");

        Assert.Equal(1, exit);
        Assert.Equal(
            """{"delivered":["a1"],"concurrent":[],"duplicates":[],"rejected":[""" +
            """{"line":3,"event_id":null,"reason":"not well-formed JSON at byte 0: 'this is not json' is an invalid JSON literal"},""" +
            """{"line":4,"event_id":"x","reason":"vector_clock entry 0 is negative (-1)"},""" +
            """{"line":5,"event_id":"a1-again","reason":"'A' entry 1 was already delivered as event 'a1' with different content"},""" +
            """{"line":6,"event_id":"z","reason":"'Z' is not a member of the fixed roster [A, B]"}""" +
            """],"undeliverable":[]}""",
            stdout.Trim());
        Assert.Contains("line 4: rejected 'x': vector_clock entry 0 is negative (-1)", stderr, StringComparison.Ordinal);
        Assert.Contains("murmur causal: 4 line(s) rejected, 0 event(s) undeliverable, 1 delivered.", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void EventsWhosePredecessorsNeverArrive_AreUndeliverable_AndExitOne()
    {
        var (exit, stdout, stderr) = CliRun.Run("causal", _cli.File(Diagram[..5]), "--roster", "p1,p2,p3");

        Assert.Equal(1, exit);
        Assert.Equal(
            """{"delivered":["e"],"concurrent":[],"duplicates":[],"rejected":[],"undeliverable":["b","c","d","f"]}""",
            stdout.Trim());
        Assert.Contains("line 5: 'b' is undeliverable: waits for event 1 of 'p1' (delivered up to 0)", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "causal" }, "missing FILE")]
    [InlineData(new[] { "causal", "/no/such/file.jsonl" }, "cannot read '/no/such/file.jsonl'")]
    [InlineData(new[] { "causal", "f.jsonl", "--colour" }, "unknown option '--colour'")]
    [InlineData(new[] { "causal", "f.jsonl", "--roster" }, "'--roster' needs a value (A,B,C)")]
    [InlineData(new[] { "causal", "f.jsonl", "--roster", "A,,B" }, "--roster 'A,,B' has an empty member name")]
    [InlineData(new[] { "causal", "f.jsonl", "--roster", "A,B,A" }, "--roster lists 'A' twice")]
    [InlineData(new[] { "causal", "a.jsonl", "b.jsonl" }, "unexpected argument 'b.jsonl'")]
    [InlineData(new[] { "frobnicate" }, "unknown command 'frobnicate'")]
    [InlineData(new string[0], "no command given")]
    public void UsageErrors_ExitTwo_WithAMessage(string[] args, string message)
    {
        var (exit, stdout, stderr) = CliRun.Run(args);

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.Matches(@"Run 'murmur( causal)? --help' for (its options|the commands)\.", stderr);
        Assert.Equal(2, stderr.TrimEnd().Split('\n').Length);
    }

    [Fact]
    public void Help_PrintsUsage_AndExitsZero()
    {
        var help = CliRun.Run("causal", "--help").Stdout;
        Assert.Contains("murmur causal <FILE> [options]", help, StringComparison.Ordinal);
        Assert.Contains("--roster <A,B,C>", help, StringComparison.Ordinal);
        Assert.Contains("causal", CliRun.Run("--help").Stdout, StringComparison.Ordinal);
        Assert.Equal(0, CliRun.Run("--help").Exit);
    }

    [Fact]
    public void MurmurDll_RunsAsAProcess_WithTheSameReportAndExitCodes()
    {
        var ok = CliRun.RunProcess("causal", _cli.File(Diagram), "--roster", "p1,p2,p3");
        var undeliverable = CliRun.RunProcess("causal", _cli.File(Diagram[..5]), "--roster", "p1,p2,p3");
        var usage = CliRun.RunProcess("causal");

        Assert.Equal((0, CliRun.Run("causal", _cli.File(Diagram), "--roster", "p1,p2,p3").Stdout), (ok.Exit, ok.Stdout));
        Assert.Equal(1, undeliverable.Exit);
        Assert.Equal(2, usage.Exit);
    }
}
