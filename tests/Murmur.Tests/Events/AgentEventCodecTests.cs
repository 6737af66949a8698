using System.Text;
using CsCheck;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Events;

public sealed class AgentEventCodecTests
{
    private const string EssayLine =
        """{"event_id":"req_88f2a","actor":"Researcher_Agent_3","action":"TOOL_CALL","payload":{"tool":"grep_search","args":{"query":"auth_token","path":"/src"}},"vector_clock":[1,0,4]}""";

    [Fact]
    public void EssayLine_Decodes_AndReencodesByteEqual()
    {
        var utf8 = Encoding.UTF8.GetBytes(EssayLine);
        var e = AgentEventCodec.Decode(utf8);

        Assert.Equal("req_88f2a", e.EventId);
        Assert.Equal("Researcher_Agent_3", e.Actor);
        Assert.Equal("TOOL_CALL", e.Action);
        Assert.Equal(VectorClock.FromEntries(1, 0, 4), e.Clock);
        Assert.Equal(utf8, AgentEventCodec.Encode(e));
    }

    [Fact]
    public void OptionalFields_RoundTrip_InDocumentedOrder()
    {
        var line = """{"event_id":"e1","actor":"A","action":"PROPOSAL","payload":{},"vector_clock":[2],"topic":"fix","ts":1700000000000,"round":3,"depends_on":["f1","f2"],"signature":"c2ln","traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}""";
        var e = AgentEventCodec.Decode(Encoding.UTF8.GetBytes(line));

        Assert.Equal("fix", e.Topic);
        Assert.Equal(1700000000000, e.Timestamp);
        Assert.Equal(3, e.Round);
        Assert.Equal(["f1", "f2"], e.DependsOn);
        Assert.Equal(line, Encoding.UTF8.GetString(AgentEventCodec.Encode(e)));
    }

    [Fact]
    public void UnknownAction_AndPayloadShape_AreCarriedThroughUntouched()
    {
        var line = """{"event_id":"x","actor":"A","action":"CUSTOM_THING","payload":[1, "two", {"three":3.5e2}],"vector_clock":[1]}""";
        var e = AgentEventCodec.Decode(Encoding.UTF8.GetBytes(line));

        Assert.Equal("CUSTOM_THING", e.Action);
        Assert.Equal(line, Encoding.UTF8.GetString(AgentEventCodec.Encode(e)));
    }

    [Fact]
    public void MissingPayload_DefaultsToEmptyObject_AndEmptyOptionalsAreOmitted()
    {
        var e = AgentEventCodec.Decode("""{"event_id":"x","actor":"A","action":"HEARTBEAT","vector_clock":[1],"topic":"","depends_on":[]}"""u8);

        Assert.Equal("""{"event_id":"x","actor":"A","action":"HEARTBEAT","payload":{},"vector_clock":[1]}""", e.ToString());
    }

    [Fact]
    public void TrailingNewline_IsAccepted()
        => Assert.Equal("req_88f2a", AgentEventCodec.Decode(Encoding.UTF8.GetBytes(EssayLine + "\r\n")).EventId);

    public static TheoryData<string, string, EventErrorKind, string> Invalid => new()
    {
        { """{"actor":"A","action":"X","vector_clock":[1]}""", "event_id", EventErrorKind.MissingField, "the required field 'event_id' is missing" },
        { """{"event_id":"","actor":"A","action":"X","vector_clock":[1]}""", "event_id", EventErrorKind.EmptyField, "event_id must not be empty" },
        { """{"event_id":"e","action":"X","vector_clock":[1]}""", "actor", EventErrorKind.MissingField, "the required field 'actor' is missing" },
        { """{"event_id":"e","actor":"","action":"X","vector_clock":[1]}""", "actor", EventErrorKind.EmptyField, "actor must not be empty" },
        { """{"event_id":"e","actor":"A","vector_clock":[1]}""", "action", EventErrorKind.MissingField, "the required field 'action' is missing" },
        { """{"event_id":"e","actor":"A","action":"","vector_clock":[1]}""", "action", EventErrorKind.EmptyField, "action must not be empty" },
        { """{"event_id":"e","actor":"A","action":"X"}""", "vector_clock", EventErrorKind.MissingField, "the required field 'vector_clock' is missing" },
        { """{"event_id":5,"actor":"A","action":"X","vector_clock":[1]}""", "event_id", EventErrorKind.WrongType, "event_id must be a string, not a number" },
        { $$"""{"event_id":"{{new string('e', 129)}}","actor":"A","action":"X","vector_clock":[1]}""", "event_id", EventErrorKind.TooLong, "event_id is longer than the limit of 128 bytes" },
        { $$"""{"event_id":"e","actor":"{{new string('a', 1025)}}","action":"X","vector_clock":[1]}""", "actor", EventErrorKind.TooLong, "actor is longer than the limit of 1024 bytes" },
        { $$"""{"event_id":"e","actor":"{{string.Concat(Enumerable.Repeat("\\u00e9", 600))}}","action":"X","vector_clock":[1]}""", "actor", EventErrorKind.TooLong, "actor is 1200 bytes long; the limit is 1024" },
        { """{"event_id":"e","event_id":"f","actor":"A","action":"X","vector_clock":[1]}""", "event_id", EventErrorKind.DuplicateKey, "the key 'event_id' appears twice" },
        { """{"event_id":"e","actor":"A","action":"X","payload":{"a":{"b":1,"b":2}},"vector_clock":[1]}""", "payload", EventErrorKind.DuplicateKey, "payload holds the key 'b' twice in one object" },
        { """{"event_id":"e","actor":"A","action":"X","payload":{"a":1,"\u0061":2},"vector_clock":[1]}""", "payload", EventErrorKind.DuplicateKey, "payload holds the key 'a' twice in one object" },
        { """{"event_id":"e","actor":"A","action":"X","payload":[{"k":1,"k":1}],"vector_clock":[1]}""", "payload", EventErrorKind.DuplicateKey, "payload holds the key 'k' twice" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":[1e400]}""", "vector_clock", EventErrorKind.InvalidClockEntry, "vector_clock entry 0 is not an integer (1e400)" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":[1,1.5]}""", "vector_clock", EventErrorKind.InvalidClockEntry, "vector_clock entry 1 is not an integer (1.5)" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":[-1]}""", "vector_clock", EventErrorKind.InvalidClockEntry, "vector_clock entry 0 is negative (-1)" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":[18446744073709551616]}""", "vector_clock", EventErrorKind.InvalidClockEntry, "vector_clock entry 0 overflows 64 bits (18446744073709551616)" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":[1,"2"]}""", "vector_clock", EventErrorKind.InvalidClockEntry, "vector_clock entry 1 is a string" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":{}}""", "vector_clock", EventErrorKind.WrongType, "vector_clock must be an array of non-negative integers, not an object" },
        { """{"event_id":"\ud800","actor":"A","action":"X","vector_clock":[1]}""", "event_id", EventErrorKind.InvalidString, "holds a string with an invalid escape" },
        { """{"event_id":"e","actor":"A","action":"X","payload":{"q":"\udc00x"},"vector_clock":[1]}""", "payload", EventErrorKind.InvalidString, "holds a string with an invalid escape" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":[1]} x""", "$", EventErrorKind.TrailingData, "unexpected data after the event's closing brace" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":[1]}{}""", "$", EventErrorKind.TrailingData, "unexpected data after the event's closing brace" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":[1],"colour":"red"}""", "colour", EventErrorKind.UnknownField, "unknown field 'colour'" },
        { """{"event_id":"e","actor":"A","action":"X","payload":{"a":[1,}},"vector_clock":[1]}""", "payload", EventErrorKind.Malformed, "not well-formed JSON" },
        { """[1,2]""", "$", EventErrorKind.WrongType, "an event must be a JSON object, not an array" },
        { "", "$", EventErrorKind.Malformed, "not well-formed JSON" },
        { """{"event_id":"e","actor":"A\nB","action":"X","vector_clock":[1]}""", "actor", EventErrorKind.InvalidString, "actor holds the control character U+000A" },
        { """{"event_id":"e","actor":"A","action":"X","vector_clock":[1],"ts":-5}""", "ts", EventErrorKind.InvalidValue, "ts the value is negative (-5)" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void InvalidEvent_IsRefused_NamingFieldAndReason(string json, string field, EventErrorKind kind, string reason)
    {
        var utf8 = Encoding.UTF8.GetBytes(json);

        var ex = Assert.Throws<EventValidationException>(() => AgentEventCodec.Decode(utf8));
        Assert.Equal(field, ex.Field);
        Assert.Equal(kind, ex.Kind);
        Assert.Contains(reason, ex.Reason, StringComparison.Ordinal);

        Assert.False(AgentEventCodec.TryDecode(utf8, null, null, out var e, out var error));
        Assert.Null(e);
        Assert.Equal(ex.Error, error);
    }

    [Fact]
    public void NestingDeeperThanLimit_IsRefused()
    {
        var limits = EventLimits.Default with { MaxDepth = 4 };
        var ok = """{"event_id":"e","actor":"A","action":"X","payload":{"a":{"b":[1]}},"vector_clock":[1]}"""u8;
        var deep = """{"event_id":"e","actor":"A","action":"X","payload":{"a":{"b":[[1]]}},"vector_clock":[1]}"""u8.ToArray();

        AgentEventCodec.Decode(ok, limits);
        var ex = Assert.Throws<EventValidationException>(() => AgentEventCodec.Decode(deep, limits));
        Assert.Equal(("payload", EventErrorKind.TooDeep), (ex.Field, ex.Kind));
        Assert.Equal("payload nests objects or arrays deeper than the limit of 4", ex.Reason);
    }

    [Fact]
    public void DefaultDepthLimit_StopsAThousandNestedArrays()
    {
        var json = """{"event_id":"e","actor":"A","action":"X","payload":""" + new string('[', 1000) + new string(']', 1000) + ""","vector_clock":[1]}""";
        var ex = Assert.Throws<EventValidationException>(() => AgentEventCodec.Decode(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(EventErrorKind.TooDeep, ex.Kind);
    }

    [Fact]
    public void RoundBeyondInt32_IsRefused_NamingTheField()
    {
        var json = """{"event_id":"e","actor":"A","action":"X","payload":{},"vector_clock":[1],"round":2147483648}""";

        var ex = Assert.Throws<EventValidationException>(() => AgentEventCodec.Decode(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(("round", EventErrorKind.InvalidValue), (ex.Field, ex.Kind));
        Assert.Contains("at most 2147483647", ex.Reason, StringComparison.Ordinal);
        Assert.Equal(int.MaxValue, AgentEventCodec.Decode(Encoding.UTF8.GetBytes(json.Replace("2147483648", "2147483647", StringComparison.Ordinal))).Round);
    }

    [Fact]
    public void PayloadOverLimit_IsRefused()
    {
        var limits = EventLimits.Default with { MaxPayloadBytes = 16 };
        var json = """{"event_id":"e","actor":"A","action":"X","payload":{"text":"0123456789abcdef"},"vector_clock":[1]}""";

        var ex = Assert.Throws<EventValidationException>(() => AgentEventCodec.Decode(Encoding.UTF8.GetBytes(json), limits));
        Assert.Equal(("payload", EventErrorKind.PayloadTooLarge), (ex.Field, ex.Kind));
        Assert.StartsWith("payload is", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void DefaultPayloadLimit_IsOneMebibyte()
    {
        var big = new string('x', 1024 * 1024);
        var json = $$"""{"event_id":"e","actor":"A","action":"X","payload":"{{big}}","vector_clock":[1]}""";

        var ex = Assert.Throws<EventValidationException>(() => AgentEventCodec.Decode(Encoding.UTF8.GetBytes(json)));
        Assert.Equal(EventErrorKind.PayloadTooLarge, ex.Kind);
        Assert.Equal("payload is 1048578 bytes; the limit is 1048576", ex.Reason);
    }

    [Fact]
    public void InvalidUtf8_IsRefused_WithItsOffset()
    {
        var utf8 = Encoding.UTF8.GetBytes("""{"event_id":"e","actor":"A?","action":"X","vector_clock":[1]}""");
        utf8[Array.IndexOf(utf8, (byte)'?')] = 0xC3; // a lead byte followed by a quote
        var ex = Assert.Throws<EventValidationException>(() => AgentEventCodec.Decode(utf8));
        Assert.Equal(("$", EventErrorKind.InvalidUtf8), (ex.Field, ex.Kind));
        Assert.Equal("the input is not valid UTF-8 (byte 26)", ex.Reason);
    }

    [Fact]
    public void ClockLongerThanRoster_IsRefused()
    {
        var roster = Roster.Of("A", "B");
        var ex = Assert.Throws<EventValidationException>(() =>
            AgentEventCodec.Decode("""{"event_id":"e","actor":"A","action":"X","vector_clock":[1,0,4]}"""u8, null, roster));
        Assert.Equal(("vector_clock", EventErrorKind.ClockLongerThanRoster), (ex.Field, ex.Kind));
        Assert.Equal("the clock has 3 entries but the roster has 2 members", ex.Reason);
    }

    [Fact]
    public void NewcomersJoin_MayBeOneLongerThanRoster()
    {
        var roster = Roster.Of("A", "B");
        var e = AgentEventCodec.Decode("""{"event_id":"j","actor":"C","action":"JOIN","vector_clock":[1,1,1]}"""u8, null, roster);
        Assert.Equal("C", e.Actor);
    }

    [Fact]
    public void SendersOwnEntryZero_IsRefused_WhenRosterKnown()
    {
        var roster = Roster.Of("A", "B");
        var ex = Assert.Throws<EventValidationException>(() =>
            AgentEventCodec.Decode("""{"event_id":"e","actor":"B","action":"X","vector_clock":[3,0]}"""u8, null, roster));
        Assert.Equal(("vector_clock", EventErrorKind.OwnEntryZero), (ex.Field, ex.Kind));
        Assert.StartsWith("the sender 'B' owns entry 1, which is 0", ex.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void OversizedEvent_IsRefusedBeforeParsing()
    {
        var limits = EventLimits.Default with { MaxEventBytes = 10 };
        var ex = Assert.Throws<EventValidationException>(() => AgentEventCodec.Decode(Encoding.UTF8.GetBytes(EssayLine), limits));
        Assert.Equal(EventErrorKind.EventTooLarge, ex.Kind);
    }

    [Fact]
    public void ManyKeysInOneObject_StillDetectsDuplicate()
    {
        var keys = string.Join(",", Enumerable.Range(0, 500).Select(i => $"\"k{i}\":{i}"));
        var json = $$"""{"event_id":"e","actor":"A","action":"X","payload":{{{keys}},"k250":1},"vector_clock":[1]}""";
        var ex = Assert.Throws<EventValidationException>(() => AgentEventCodec.Decode(Encoding.UTF8.GetBytes(json)));
        Assert.Equal("payload holds the key 'k250' twice in one object", ex.Reason);
    }

    [Fact]
    public void HostileBytes_OnlyEverProduceAnEventError()
    {
        var seed = Encoding.UTF8.GetBytes(EssayLine);
        Gen.Select(Gen.Int[0, seed.Length - 1], Gen.Byte, Gen.Int[0, 3], Gen.Int[1, 40])
            .Array[1, 6]
            .Sample(mutations =>
            {
                var bytes = seed.ToList();
                foreach (var (at, value, op, len) in mutations)
                {
                    var i = Math.Min(at, bytes.Count - 1);
                    switch (op)
                    {
                        case 0: bytes[i] = value; break;
                        case 1: bytes.Insert(i, value); break;
                        case 2: bytes.RemoveRange(i, Math.Min(len, bytes.Count - i - 1)); break;
                        default: bytes.InsertRange(i, Enumerable.Repeat(value, len)); break;
                    }
                }
                var ok = AgentEventCodec.TryDecode(bytes.ToArray(), null, null, out var e, out var error);
                Assert.True(ok ? e is not null : error is not null);
            }, iter: 20_000);
    }
}
