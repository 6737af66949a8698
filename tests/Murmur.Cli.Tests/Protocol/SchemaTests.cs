using System.Text.Json;
using Murmur.Cli.Commands;
using Murmur.Events;

namespace Murmur.Cli.Tests.Protocol;

/// <summary>The JSON Schemas of docs/protocol/schema describe the bytes: every event the demo writes validates, and the readers agree on bad input.</summary>
public sealed class SchemaTests : IDisposable
{
    private readonly string _out = Directory.CreateTempSubdirectory("murmur-schema-").FullName;

    public void Dispose() => Directory.Delete(_out, recursive: true);

    [Fact]
    public void EveryEventTheDemoWrites_ValidatesAgainstTheEnvelopeAndItsActionsSchema()
    {
        var root = DemoCommandTests.ExampleTree();
        var code = CommandLine.Run(["demo", "--root", root, "--out", _out, "--think-ms", "1", "--quiet"], new StringWriter(), new StringWriter());
        Assert.Equal(0, code);

        var actions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var file in new[] { "eventual.jsonl", "strict.jsonl" })
        {
            foreach (var line in File.ReadAllLines(Path.Combine(_out, file)))
            {
                var e = JsonDocument.Parse(line).RootElement;
                actions.Add(e.GetProperty("action").GetString()!);
                Assert.Empty(ProtocolSchemas.Errors(e));
            }
        }
        // The demo exercises the schemas of these actions (a new action without a schema shows up here).
        Assert.Superset(new HashSet<string> { "JOIN", "FINDING", "RETRACT", "PROPOSAL", "REVIEW", "TASK_COMPLETE", "TOOL_CALL", "TOOL_RESULT" }, actions);
        Assert.All(actions, a => Assert.True(ProtocolSchemas.Has(a), $"no schema for {a}"));
    }

    [Theory]
    [InlineData("FINDING", "{\"data\":{}}")]                       // no summary
    [InlineData("FINDING", "{\"summary\":\"x\",\"line\":0}")]      // a line before the first
    [InlineData("TOOL_CALL", "{\"args\":{}}")]                     // no tool
    [InlineData("RETRACT", "{\"reason\":\"r\"}")]                  // nothing retracted
    [InlineData("PROPOSAL", "{\"path\":7}")]
    [InlineData("ROUND_DONE", "{\"round\":-1}")]
    public void InvalidPayloads_FailTheirSchema(string action, string payload)
    {
        var e = JsonDocument.Parse($"{{\"event_id\":\"x\",\"actor\":\"A\",\"action\":\"{action}\",\"payload\":{payload},\"vector_clock\":[1]}}").RootElement;

        Assert.NotEmpty(ProtocolSchemas.Errors(e));
    }

    [Fact]
    public void TheEnvelopeSchema_RefusesWhatTheCodecRefuses()
    {
        foreach (var line in new[]
        {
            "{\"event_id\":\"x\",\"actor\":\"A\",\"action\":\"M\",\"vector_clock\":[1],\"colour\":\"red\"}", // unknown field
            "{\"event_id\":\"\",\"actor\":\"A\",\"action\":\"M\",\"vector_clock\":[1]}",                    // empty id
            "{\"event_id\":\"x\",\"actor\":\"A\",\"action\":\"M\",\"vector_clock\":[-1]}",                  // negative entry
            "{\"event_id\":\"x\",\"actor\":\"A\",\"action\":\"M\"}",                                       // no clock
        })
        {
            Assert.False(AgentEventCodec.TryDecode(System.Text.Encoding.UTF8.GetBytes(line), null, null, out _, out _), line);
            Assert.NotEmpty(ProtocolSchemas.Errors(JsonDocument.Parse(line).RootElement));
        }
    }
}
