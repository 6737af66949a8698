using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Murmur.Events;

// The decoder's field readers: each reads one field's value, checks it against the limits, and names the field when it
// refuses it.
public static partial class AgentEventCodec
{
    private ref partial struct Decoder
    {
        private bool ReadString(int maxBytes, bool required, bool plain, out string? value)
        {
            value = null;
            if (_reader.TokenType == JsonTokenType.Null && !required)
            {
                return true;
            }
            if (_reader.TokenType != JsonTokenType.String)
            {
                return FailBool(EventErrorKind.WrongType, $"must be a string, not {Describe(_reader.TokenType)}");
            }
            var raw = _reader.ValueSpan;
            // An escape is at most 6 raw bytes per 3 UTF-8 bytes, so this refuses giant strings before allocating.
            if (raw.Length > (_reader.ValueIsEscaped ? maxBytes * 6L : maxBytes))
            {
                return FailBool(EventErrorKind.TooLong, $"is longer than the limit of {maxBytes} bytes");
            }
            string s;
            if (_reader.ValueIsEscaped)
            {
                s = _reader.GetString()!;
                if (HasLoneSurrogate(s))
                {
                    return FailBool(EventErrorKind.InvalidString, "holds a lone UTF-16 surrogate escape");
                }
                var bytes = Encoding.UTF8.GetByteCount(s);
                if (bytes > maxBytes)
                {
                    return FailBool(EventErrorKind.TooLong, $"is {bytes} bytes long; the limit is {maxBytes}");
                }
            }
            else
            {
                s = Encoding.UTF8.GetString(raw);
            }
            if (required && s.Length == 0)
            {
                return FailBool(EventErrorKind.EmptyField, "must not be empty");
            }
            if (plain)
            {
                foreach (var c in s)
                {
                    if (char.IsControl(c))
                    {
                        return FailBool(EventErrorKind.InvalidString, $"holds the control character U+{(int)c:X4}");
                    }
                }
            }
            value = s;
            return true;
        }

        private bool ReadPayload(KeyTracker tracker, out byte[]? payload)
        {
            payload = null;
            var start = _reader.TokenStartIndex;
            var max = _limits.MaxPayloadBytes;
            switch (_reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    var depth = _reader.CurrentDepth;
                    if (!EnterContainer(tracker))
                    {
                        return false;
                    }
                    while (_reader.Read())
                    {
                        if (_reader.BytesConsumed - start > max)
                        {
                            return FailBool(EventErrorKind.PayloadTooLarge, $"is larger than the limit of {max} bytes");
                        }
                        switch (_reader.TokenType)
                        {
                            case JsonTokenType.StartObject:
                            case JsonTokenType.StartArray:
                                if (!EnterContainer(tracker))
                                {
                                    return false;
                                }
                                break;
                            case JsonTokenType.EndObject:
                                tracker.Pop();
                                break;
                            case JsonTokenType.PropertyName:
                                if (!CheckKey(tracker))
                                {
                                    return false;
                                }
                                break;
                            case JsonTokenType.String:
                                if (_reader.ValueIsEscaped && !CheckEscapes())
                                {
                                    return false;
                                }
                                break;
                        }
                        if (_reader.CurrentDepth == depth
                            && _reader.TokenType is JsonTokenType.EndObject or JsonTokenType.EndArray)
                        {
                            break;
                        }
                    }
                    break;
                case JsonTokenType.String:
                    if (_reader.ValueIsEscaped && !CheckEscapes())
                    {
                        return false;
                    }
                    break;
            }
            var length = _reader.BytesConsumed - start;
            if (length > max)
            {
                return FailBool(EventErrorKind.PayloadTooLarge, $"is {length} bytes; the limit is {max}");
            }
            payload = _utf8.Slice((int)start, (int)length).ToArray();
            return true;
        }

        private bool ReadClock(out ulong[]? clock)
        {
            clock = null;
            if (_reader.TokenType != JsonTokenType.StartArray)
            {
                return FailBool(EventErrorKind.WrongType, $"must be an array of non-negative integers, not {Describe(_reader.TokenType)}");
            }
            var entries = new ulong[8];
            var count = 0;
            while (_reader.Read() && _reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == _limits.MaxClockLength)
                {
                    return FailBool(EventErrorKind.TooLong, $"has more than the limit of {_limits.MaxClockLength} entries");
                }
                if (_reader.TokenType != JsonTokenType.Number)
                {
                    return FailBool(EventErrorKind.InvalidClockEntry, $"entry {count} is {Describe(_reader.TokenType)}; entries must be non-negative integers");
                }
                if (!ParseUnsigned(_reader.ValueSpan, $"entry {count}", EventErrorKind.InvalidClockEntry, out var value))
                {
                    return false;
                }
                if (count == entries.Length)
                {
                    Array.Resize(ref entries, count * 2);
                }
                entries[count++] = value;
            }
            if (count != entries.Length)
            {
                Array.Resize(ref entries, count);
            }
            clock = entries;
            return true;
        }

        private bool ReadTimestamp(out long? ts)
        {
            ts = null;
            if (_reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }
            if (_reader.TokenType != JsonTokenType.Number)
            {
                return FailBool(EventErrorKind.WrongType, $"must be milliseconds since the Unix epoch, not {Describe(_reader.TokenType)}");
            }
            if (!ParseUnsigned(_reader.ValueSpan, "the value", EventErrorKind.InvalidValue, out var value))
            {
                return false;
            }
            if (value > MaxTimestamp)
            {
                return FailBool(EventErrorKind.InvalidValue, $"is after the year 9999 ({value})");
            }
            ts = (long)value;
            return true;
        }

        private bool ReadRound(out int? round)
        {
            round = null;
            if (!ReadUnsigned(out var value))
            {
                return false;
            }
            if (value > int.MaxValue)
            {
                return FailBool(EventErrorKind.InvalidValue, $"is {value}; a round is at most {int.MaxValue}");
            }
            round = (int?)value;
            return true;
        }

        private bool ReadUnsigned(out ulong? value)
        {
            value = null;
            if (_reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }
            if (_reader.TokenType != JsonTokenType.Number)
            {
                return FailBool(EventErrorKind.WrongType, $"must be a non-negative integer, not {Describe(_reader.TokenType)}");
            }
            if (!ParseUnsigned(_reader.ValueSpan, "the value", EventErrorKind.InvalidValue, out var parsed))
            {
                return false;
            }
            value = parsed;
            return true;
        }

        private bool ReadDependsOn(out string[]? ids)
        {
            ids = null;
            if (_reader.TokenType == JsonTokenType.Null)
            {
                return true;
            }
            if (_reader.TokenType != JsonTokenType.StartArray)
            {
                return FailBool(EventErrorKind.WrongType, $"must be an array of event ids, not {Describe(_reader.TokenType)}");
            }
            var list = new List<string>();
            while (_reader.Read() && _reader.TokenType != JsonTokenType.EndArray)
            {
                if (list.Count == _limits.MaxDependsOn)
                {
                    return FailBool(EventErrorKind.TooLong, $"has more than the limit of {_limits.MaxDependsOn} entries");
                }
                if (_reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    return FailBool(EventErrorKind.WrongType, $"entry {list.Count} is {Describe(_reader.TokenType)}; entries must be event ids");
                }
                if (!ReadString(_limits.MaxEventIdLength, required: true, plain: true, out var id))
                {
                    return false;
                }
                list.Add(id!);
            }
            ids = [.. list];
            return true;
        }

        private bool ParseUnsigned(ReadOnlySpan<byte> raw, string what, EventErrorKind kind, out ulong value)
        {
            value = 0;
            var shown = Shorten(Encoding.UTF8.GetString(raw[..Math.Min(raw.Length, 40)]));
            if (raw[0] == (byte)'-')
            {
                // "-0" is still a sign the producer is confused; refuse it too.
                return FailBool(kind, $"{what} is negative ({shown})");
            }
            if (raw.IndexOfAny((byte)'.', (byte)'e', (byte)'E') >= 0)
            {
                return FailBool(kind, $"{what} is not an integer ({shown}); write a plain integer without a fraction or exponent");
            }
            if (!Utf8Parser.TryParse(raw, out value, out var consumed) || consumed != raw.Length)
            {
                return FailBool(kind, $"{what} overflows 64 bits ({shown}); the largest allowed is {ulong.MaxValue}");
            }
            return true;
        }
    }
}
