namespace Murmur.Cli.Tests;

public sealed class ShiVizTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void SmallExample_IsWrittenExactly()
    {
        var file = _cli.File(
            """{"event_id":"b","actor":"p 1","action":"MESSAGE","payload":{"n": 2},"vector_clock":[2,0]}""",
            """{"event_id":"a","actor":"p 1","action":"MESSAGE","payload":{"text":"hi\nthere"},"vector_clock":[1]}""",
            """{"event_id":"c","actor":"p2","action":"TASK_COMPLETE","payload":{},"vector_clock":[2,1]}""");
        var log = _cli.Output("out.log");

        var (exit, _, _) = CliRun.Run("trace", file, "--shiviz", log, "--roster", "p 1,p2");

        Assert.Equal(0, exit);
        Assert.Equal(
            """
            (?<host>\S*) (?<clock>{.*})\n(?<event>.*)

            p_1 {"p_1":1}
            MESSAGE a {"text":"hi\nthere"}
            p_1 {"p_1":2}
            MESSAGE b {"n":2}
            p2 {"p_1":2,"p2":1}
            TASK_COMPLETE c {}

            """.Replace("\r\n", "\n", StringComparison.Ordinal),
            File.ReadAllText(log));
    }
}
