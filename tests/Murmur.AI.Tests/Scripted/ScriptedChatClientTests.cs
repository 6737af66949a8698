using Microsoft.Extensions.AI;
using Murmur.AI.Agents;
using Murmur.AI.Scripted;

namespace Murmur.AI.Tests.Scripted;

public sealed class ScriptedChatClientTests
{
    private const string Json = """
        {"steps":[
          {"tool_calls":[{"tool":"grep_search","args":{"query":"auth_token","path":"."}}]},
          {"when":{"tool_result_contains":"auth_token"},"text":"found it","publish":{"action":"FINDING","payload":{"summary":"auth_token logged"}}},
          {"when":{"seen_action":"FINDING"},"text":"reacting to a finding"},
          {"when":{"message_contains":"hello"},"text":"hi","repeat":true}
        ]}
        """;

    [Fact]
    public async Task Steps_PlayInOrder_WhenTheirConditionsHold_AndEveryTextIsLabelled()
    {
        var client = ScriptedChatClient.FromJson(Json);
        List<ChatMessage> history = [new(ChatRole.User, "go")];

        var first = await client.GetResponseAsync(history);
        var call = Assert.IsType<FunctionCallContent>(Assert.Single(first.Messages[0].Contents));
        Assert.Equal("grep_search", call.Name);
        Assert.Equal(ChatFinishReason.ToolCalls, first.FinishReason);

        // Step 2 needs a tool result with auth_token; nothing fits yet, so the engine says so (labelled).
        var none = await client.GetResponseAsync(history);
        Assert.Equal("[scripted] (no script step matches this turn)", none.Text);

        history.Add(new ChatMessage(ChatRole.Tool, [new FunctionResultContent(call.CallId, "[{\"text\":\"log(auth_token)\"}]")]));
        var second = await client.GetResponseAsync(history);
        Assert.Equal("[scripted] found it", second.Text);
        var publish = Assert.IsType<IReadOnlyList<PublishRequest>>(second.Messages[0].AdditionalProperties![LlmConventions.PublishKey], exactMatch: false);
        Assert.Equal("FINDING", Assert.Single(publish).Action);

        history.Add(new ChatMessage(ChatRole.User, "[event FINDING]") { AdditionalProperties = new() { [LlmConventions.ActionKey] = "FINDING" } });
        Assert.Equal("[scripted] reacting to a finding", (await client.GetResponseAsync(history)).Text);

        history.Add(new ChatMessage(ChatRole.User, "hello there"));
        Assert.Equal("[scripted] hi", (await client.GetResponseAsync(history)).Text);
        Assert.Equal("[scripted] hi", (await client.GetResponseAsync(history)).Text); // repeat: never used up
    }

    [Fact]
    public async Task Streaming_YieldsTheSameLabelledAnswer()
    {
        var client = ScriptedChatClient.FromJson("""[{"text":"two words"}]""");
        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in client.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, "x")]))
        {
            updates.Add(update);
        }
        Assert.True(updates.Count >= 2);
        Assert.Equal("[scripted] two words", updates.ToChatResponse().Text);
    }

    [Fact]
    public async Task SameScript_SameConversation_SameAnswers()
    {
        List<ChatMessage> history = [new(ChatRole.User, "go")];
        var a = await ScriptedChatClient.FromJson(Json).GetResponseAsync(history);
        var b = await ScriptedChatClient.FromJson(Json).GetResponseAsync(history);
        Assert.Equal(((FunctionCallContent)a.Messages[0].Contents[0]).CallId, ((FunctionCallContent)b.Messages[0].Contents[0]).CallId);
    }

    [Theory]
    [InlineData("{\"steps\":[{\"text\":\"a\"},\n{\"text\": }]}", "invalid JSON at line 2")]
    [InlineData("[{\"text\":\"a\"},{\"tool_calls\":[{\"args\":{}}]}]", "step 2, field 'tool_calls[0].tool'")]
    [InlineData("[{\"when\":{\"seen\":\"FINDING\"},\"text\":\"a\"}]", "step 1, field 'when.seen'")]
    [InlineData("[{\"text\":3}]", "step 1, field 'text': must be a string")]
    [InlineData("[{\"txt\":\"a\"}]", "step 1, field 'txt'")]
    [InlineData("[{\"when\":{\"seen_action\":\"X\"}}]", "step 1, field 'text'")]
    [InlineData("[{\"text\":\"a\",\"publish\":{\"payload\":{}}}]", "step 1, field 'publish.action'")]
    [InlineData("{\"nope\":1}", "an array of steps")]
    public void BadScripts_NameTheLineOrTheStepAndField(string json, string expected)
    {
        var ex = Assert.Throws<ScriptException>(() => Script.Parse(json));
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }
}
