using System.Buffers;
using System.Text;
using System.Text.Json;
using Murmur.Causality;

namespace Murmur.Events;

public static partial class AgentEventCodec
{
    private const string Document = "$";
    private const long MaxTimestamp = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z

    private static readonly string[] FieldNames =
        ["event_id", "actor", "action", "payload", "vector_clock", "topic", "ts", "round", "depends_on", "signature", "traceparent", "epoch"];

    /// <summary>One forward pass over the input; every fault becomes an <see cref="EventError"/>.</summary>
    private ref partial struct Decoder(ReadOnlySpan<byte> utf8, EventLimits limits)
    {
        private readonly ReadOnlySpan<byte> _utf8 = utf8;
        private readonly EventLimits _limits = limits;
        private Utf8JsonReader _reader;
        private string _field = Document;
        private bool _rootDone;
        private EventError? _error;

        public AgentEvent? Run(out EventError? error)
        {
            error = null;
            if (_utf8.Length > _limits.MaxEventBytes)
            {
                error = new EventError(Document, EventErrorKind.EventTooLarge,
                    $"the event is {_utf8.Length} bytes; the limit is {_limits.MaxEventBytes}");
                return null;
            }
            var bad = FindInvalidUtf8(_utf8);
            if (bad >= 0)
            {
                error = new EventError(Document, EventErrorKind.InvalidUtf8, $"the input is not valid UTF-8 (byte {bad})");
                return null;
            }
            _reader = new Utf8JsonReader(_utf8, new JsonReaderOptions
            {
                // One more than the limit so that our own check, which names the field, fires first.
                MaxDepth = _limits.MaxDepth + 1,
                CommentHandling = JsonCommentHandling.Disallow,
                AllowTrailingCommas = false,
            });
            var tracker = KeyTracker.Rent();
            try
            {
                var result = Parse(tracker);
                error = _error;
                return result;
            }
            catch (JsonException ex)
            {
                error = _rootDone
                    ? new EventError(Document, EventErrorKind.TrailingData,
                        $"unexpected data after the event's closing brace (byte {_reader.BytesConsumed})")
                    : new EventError(_field, EventErrorKind.Malformed,
                        $"not well-formed JSON at byte {_reader.BytesConsumed}: {FirstSentence(ex.Message)}");
                return null;
            }
            catch (InvalidOperationException ex)
            {
                // Utf8JsonReader reports invalid escapes (lone surrogates) this way when unescaping.
                error = new EventError(_field, EventErrorKind.InvalidString, $"{_field} holds a string with an invalid escape: {FirstSentence(ex.Message)}");
                return null;
            }
            catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException or DecoderFallbackException)
            {
                error = new EventError(_field, EventErrorKind.Malformed, FirstSentence(ex.Message));
                return null;
            }
            finally
            {
                KeyTracker.Return(tracker);
            }
        }

        private AgentEvent? Parse(KeyTracker tracker)
        {
            if (!_reader.Read())
            {
                return Fail(Document, EventErrorKind.Malformed, "the input is empty");
            }
            if (_reader.TokenType != JsonTokenType.StartObject)
            {
                return Fail(Document, EventErrorKind.WrongType, $"an event must be a JSON object, not {Describe(_reader.TokenType)}");
            }
            string? eventId = null, actor = null, action = null, topic = null, signature = null, traceParent = null;
            byte[]? payload = null;
            ulong[]? clock = null;
            long? ts = null;
            int? round = null;
            ulong? epoch = null;
            string[]? dependsOn = null;
            var seen = 0;
            while (true)
            {
                _field = Document;
                _reader.Read();
                if (_reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }
                var field = Identify(ref _reader);
                if (field < 0)
                {
                    var name = Shorten(_reader.GetString() ?? "");
                    return Fail(name, EventErrorKind.UnknownField,
                        $"unknown field '{name}'; an event holds only {string.Join(", ", FieldNames)}");
                }
                _field = FieldNames[field];
                if ((seen & (1 << field)) != 0)
                {
                    return Fail(_field, EventErrorKind.DuplicateKey, $"the key '{_field}' appears twice");
                }
                seen |= 1 << field;
                _reader.Read();
                var ok = field switch
                {
                    0 => ReadString(_limits.MaxEventIdLength, required: true, plain: true, out eventId),
                    1 => ReadString(_limits.MaxActorLength, required: true, plain: true, out actor),
                    2 => ReadString(_limits.MaxActionLength, required: true, plain: true, out action),
                    3 => ReadPayload(tracker, out payload),
                    4 => ReadClock(out clock),
                    5 => ReadString(_limits.MaxTopicLength, required: false, plain: true, out topic),
                    6 => ReadTimestamp(out ts),
                    7 => ReadRound(out round),
                    8 => ReadDependsOn(out dependsOn),
                    9 => ReadString(_limits.MaxSignatureLength, required: false, plain: false, out signature),
                    10 => ReadString(_limits.MaxTraceParentLength, required: false, plain: true, out traceParent),
                    _ => ReadUnsigned(out epoch),
                };
                if (!ok)
                {
                    return null;
                }
            }
            _rootDone = true;
            _field = Document;
            if (_reader.Read())
            {
                return Fail(Document, EventErrorKind.TrailingData, $"unexpected data after the event's closing brace (byte {_reader.TokenStartIndex})");
            }
            for (var f = 0; f < 5; f++)
            {
                // payload (3) is optional and defaults to {}.
                if (f != 3 && (seen & (1 << f)) == 0)
                {
                    return Fail(FieldNames[f], EventErrorKind.MissingField, $"the required field '{FieldNames[f]}' is missing");
                }
            }
            return new AgentEvent(eventId!, actor!, action!, payload, VectorClock.Wrap(clock!), validated: true)
            {
                Topic = string.IsNullOrEmpty(topic) ? null : topic,
                Timestamp = ts,
                Round = round,
                Epoch = epoch,
                DependsOn = dependsOn ?? [],
                Signature = string.IsNullOrEmpty(signature) ? null : signature,
                TraceParent = string.IsNullOrEmpty(traceParent) ? null : traceParent,
            };
        }

        private static int Identify(ref Utf8JsonReader reader)
        {
            for (var i = 0; i < FieldNames.Length; i++)
            {
                if (reader.ValueTextEquals(FieldNames[i]))
                {
                    return i;
                }
            }
            return -1;
        }

        private bool EnterContainer(KeyTracker tracker)
        {
            // CurrentDepth of a start token is the depth of its parent; the envelope object is depth 1.
            if (_reader.CurrentDepth + 1 > _limits.MaxDepth)
            {
                return FailBool(EventErrorKind.TooDeep, $"nests objects or arrays deeper than the limit of {_limits.MaxDepth}");
            }
            if (_reader.TokenType == JsonTokenType.StartObject)
            {
                tracker.Push();
            }
            return true;
        }

        private bool CheckKey(KeyTracker tracker)
        {
            bool added;
            if (!_reader.ValueIsEscaped)
            {
                added = tracker.TryAdd(_reader.ValueSpan);
            }
            else
            {
                var rented = ArrayPool<byte>.Shared.Rent(_reader.ValueSpan.Length);
                try
                {
                    var written = _reader.CopyString(rented);
                    added = tracker.TryAdd(rented.AsSpan(0, written));
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(rented);
                }
            }
            if (!added)
            {
                return FailBool(EventErrorKind.DuplicateKey, $"holds the key '{Shorten(_reader.GetString() ?? "")}' twice in one object");
            }
            return true;
        }

        private bool CheckEscapes()
        {
            // Unescaping is what detects invalid escapes; GetString throws InvalidOperationException on a lone
            // surrogate, and the explicit scan is a second line of defence.
            var s = _reader.GetString()!;
            return !HasLoneSurrogate(s) || FailBool(EventErrorKind.InvalidString, "holds a string with a lone UTF-16 surrogate escape");
        }

        private bool FailBool(EventErrorKind kind, string reason)
        {
            _error ??= new EventError(_field, kind, $"{_field} {reason}");
            return false;
        }

        private AgentEvent? Fail(string field, EventErrorKind kind, string reason)
        {
            _error ??= new EventError(field, kind, reason);
            return null;
        }
    }

    private static string Describe(JsonTokenType token) => token switch
    {
        JsonTokenType.StartObject => "an object",
        JsonTokenType.StartArray => "an array",
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => "a boolean",
        JsonTokenType.Null => "null",
        _ => token.ToString(),
    };

    private static string Shorten(string s) => s.Length <= 64 ? s : string.Concat(s.AsSpan(0, 61), "...");

    private static string FirstSentence(string message)
    {
        var i = message.IndexOf(". ", StringComparison.Ordinal);
        return i < 0 ? message.TrimEnd('.') : message[..i];
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>The offset of the first byte that is not valid UTF-8, or -1.</summary>
    private static int FindInvalidUtf8(ReadOnlySpan<byte> utf8)
    {
        if (System.Text.Unicode.Utf8.IsValid(utf8))
        {
            return -1;
        }
        var offset = 0;
        while (offset < utf8.Length)
        {
            if (System.Text.Rune.DecodeFromUtf8(utf8[offset..], out _, out var consumed) != OperationStatus.Done)
            {
                return offset;
            }
            offset += consumed;
        }
        return offset;
    }
}
