using System.Text;
using CsCheck;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Events;

public sealed class AgentEventRoundTripTests
{
    private static readonly Gen<string> Text = Gen.String[Gen.Char.AlphaNumeric, 1, 12];

    // Any printable text, including quotes, backslashes and non-ASCII, for strings that may hold them.
    private static readonly Gen<string> AnyText = Gen.String[Gen.Char[' ', '\u07ff'], 0, 12];

    private static readonly Gen<AgentEvent> Events =
        Gen.Select(Text, Text, Gen.Int[0, 2].Select(i => new[] { "TOOL_CALL", "FINDING", "CUSTOM" }[i]), AnyText, Gen.ULong.Array[1, 6])
        .SelectMany((id, actor, action, note, clock) =>
            Gen.Select(Maybe(Text), Gen.Select(Gen.Bool, Gen.Long[0, 253_402_300_799_999]), Gen.Select(Gen.Bool, Gen.Int[0, int.MaxValue]), Text.Array[0, 3], Maybe(AnyText))
            .Select((topic, ts, round, deps, signature) =>
            {
                var payload = Encoding.UTF8.GetBytes($$"""{"note":{{System.Text.Json.JsonSerializer.Serialize(note)}},"n":[1,2.5,{"x":null}]}""");
                return new AgentEvent(id, actor, action, payload, VectorClock.FromEntries(clock))
                {
                    Topic = topic,
                    Timestamp = ts.Item1 ? ts.Item2 : null,
                    Round = round.Item1 ? round.Item2 : null,
                    DependsOn = deps,
                    Signature = string.IsNullOrEmpty(signature) ? null : signature,
                };
            }));

    private static Gen<string?> Maybe(Gen<string> gen) => Gen.Select(Gen.Bool, gen).Select((some, v) => some ? v : null);

    [Fact]
    public void EncodeThenDecode_GivesAnEqualEvent_AndTheSameBytes()
        => Events.Sample(e =>
        {
            var bytes = AgentEventCodec.Encode(e);
            var decoded = AgentEventCodec.Decode(bytes);

            Assert.Equal(e, decoded);
            Assert.Equal(bytes, AgentEventCodec.Encode(decoded));
        }, iter: 3000);

    [Fact]
    public void RetractionView_ReadsItsPayload()
    {
        var retract = new AgentEvent("r1", "A", Actions.Retract, new Retraction("f1", "wrong file").ToPayload(), VectorClock.FromEntries(2));
        var other = new AgentEvent("f1", "A", "FINDING", """{"event_id":"x"}"""u8.ToArray(), VectorClock.FromEntries(1));

        Assert.True(Retraction.TryRead(AgentEventCodec.Decode(AgentEventCodec.Encode(retract)), out var r));
        Assert.Equal(new Retraction("f1", "wrong file"), r);
        Assert.False(Retraction.TryRead(other, out _));
    }

    [Fact]
    public void Constructor_RefusesAPayloadThatIsNotOneJsonValue()
    {
        Assert.Throws<ArgumentException>(() => new AgentEvent("e", "A", "X", "{"u8.ToArray(), VectorClock.FromEntries(1)));
        Assert.Throws<ArgumentException>(() => new AgentEvent("e", "A", "X", "1 2"u8.ToArray(), VectorClock.FromEntries(1)));
        Assert.Throws<ArgumentException>(() => new AgentEvent("", "A", "X", default, VectorClock.FromEntries(1)));
    }
}
