using System.Text;
using System.Text.Json;
using Murmur.AI.Events;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.AI.Tests.Events;

public sealed class AiPayloadTests
{
    private const string EssayLine =
        """{"event_id":"req_88f2a","actor":"Researcher_Agent_3","action":"TOOL_CALL","payload":{"tool":"grep_search","args":{"query":"auth_token","path":"/src"}},"vector_clock":[1,0,4]}""";

    [Fact]
    public void EssayLine_ToolCallView_ReadsToolAndArgs()
    {
        var e = AgentEventCodec.Decode(Encoding.UTF8.GetBytes(EssayLine));

        Assert.Equal(AiActions.ToolCall, e.Action);
        Assert.True(ToolCall.TryRead(e, out var call));
        Assert.Equal("grep_search", call!.Tool);
        Assert.Equal("auth_token", call.Args.GetProperty("query").GetString());
        Assert.False(Finding.TryRead(e, out _));
    }

    [Fact]
    public void ToolCallView_RoundTripsThroughAPayload()
    {
        var call = new ToolCall("grep_search", JsonDocument.Parse("""{"query":"auth_token"}""").RootElement);
        var e = new AgentEvent("c1", "A", AiActions.ToolCall, call.ToPayload(), VectorClock.FromEntries(1));

        Assert.True(ToolCall.TryRead(AgentEventCodec.Decode(AgentEventCodec.Encode(e)), out var read));
        Assert.Equal("grep_search", read!.Tool);
        Assert.Equal("auth_token", read.Args.GetProperty("query").GetString());
    }

    [Fact]
    public void FindingView_ReadsItsPayload_AndNothingElse()
    {
        var finding = new AgentEvent("f1", "A", AiActions.Finding, new Finding("auth_token used in 3 files", null).ToPayload(), VectorClock.FromEntries(1));
        var noSummary = new AgentEvent("f2", "A", AiActions.Finding, """{"data":1}"""u8.ToArray(), VectorClock.FromEntries(2));
        var notAnObject = new AgentEvent("f3", "A", AiActions.Finding, "[1]"u8.ToArray(), VectorClock.FromEntries(3));

        Assert.True(Finding.TryRead(finding, out var f));
        Assert.Equal("auth_token used in 3 files", f!.Summary);
        Assert.False(Finding.TryRead(noSummary, out _));
        Assert.False(Finding.TryRead(notAnObject, out _));
        Assert.False(ToolCall.TryRead(finding, out _));
    }
}
