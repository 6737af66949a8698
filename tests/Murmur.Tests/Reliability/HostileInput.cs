using System.Text;

namespace Murmur.Tests.Reliability;

/// <summary>Seeded generator of random and mutated events: the inputs a faulty or hostile node could append.</summary>
public sealed class HostileInput(int seed)
{
    private static readonly string[] Fields = ["event_id", "actor", "action", "payload", "vector_clock", "topic", "ts", "round", "depends_on", "signature", "traceparent", "epoch"];
    private static readonly string[] Numbers = ["1e400", "-1", "18446744073709551615", "18446744073709551616", "1.5", "-0", "00", "1E2", "99999999999999999999999999", "NaN", "Infinity", "0x10", "true", "null", "\"3\""];
    private static readonly string[] Strings = ["\"\\ud800\"", "\"\\udc00x\"", "\"\\u0000\"", "\"\"", "\"\\uZZZZ\"", "\"\\\"", "\"" + new string('x', 5000) + "\"", "\"é漢😀\"", "\"\\ud83d\\ude00\""];
    private readonly Random _random = new(seed);

    /// <summary>A valid event's JSON, with random ids and clocks (possibly huge or regressing).</summary>
    public string Valid()
    {
        var clock = string.Join(',', Enumerable.Range(0, _random.Next(0, 6)).Select(_ => _random.Next(4) == 0 ? ulong.MaxValue - (ulong)_random.Next(3) : (ulong)_random.Next(0, 5)));
        var id = _random.Next(3) == 0 ? "evt_same" : $"evt_{_random.Next():x}";
        return $"{{\"event_id\":\"{id}\",\"actor\":\"A{_random.Next(4)}\",\"action\":\"M\",\"payload\":{{\"n\":{_random.Next()}}},\"vector_clock\":[{clock}],\"topic\":\"hostile\"}}";
    }

    /// <summary>One hostile input.</summary>
    public byte[] Next()
    {
        var text = Valid();
        switch (_random.Next(12))
        {
            case 0: // truncated JSON
                return Encoding.UTF8.GetBytes(text[.._random.Next(text.Length)]);
            case 1: // a duplicate key
                var field = Fields[_random.Next(5)];
                return Encoding.UTF8.GetBytes(text.Insert(1, $"\"{field}\":\"dup\","));
            case 2: // deep nesting in the payload
                var depth = _random.Next(1, 3000);
                return Encoding.UTF8.GetBytes(text.Replace("{\"n\":", new string('[', depth) + new string(']', depth) + ",\"x\":{\"n\":", StringComparison.Ordinal).Replace("}}", "}}}", StringComparison.Ordinal));
            case 3: // hostile numbers where numbers belong
                var number = Numbers[_random.Next(Numbers.Length)];
                return Encoding.UTF8.GetBytes(_random.Next(3) switch
                {
                    0 => text.Replace("\"vector_clock\":[", $"\"vector_clock\":[{number},", StringComparison.Ordinal),
                    1 => text.Insert(text.Length - 1, $",\"ts\":{number}"),
                    _ => text.Insert(text.Length - 1, $",\"round\":{number}"),
                });
            case 4: // hostile strings (lone surrogates, bad escapes) in string fields
                var s = Strings[_random.Next(Strings.Length)];
                return Encoding.UTF8.GetBytes(_random.Next(2) == 0
                    ? text.Replace("\"actor\":\"", $"\"actor\":{s},\"x\":\"", StringComparison.Ordinal).Replace(",\"x\":\"", ",\"action2\":\"", StringComparison.Ordinal)
                    : text.Insert(1, $"\"event_id\":{s},").Replace("{\"event_id\":" + s + ",\"event_id\":", "{\"event_id\":" + s + ",\"actor2\":", StringComparison.Ordinal));
            case 5: // random bytes
                var bytes = new byte[_random.Next(0, 300)];
                _random.NextBytes(bytes);
                return bytes;
            case 6: // flipped bytes in a valid event
                var flipped = Encoding.UTF8.GetBytes(text);
                for (var i = _random.Next(1, 4); i > 0; i--)
                {
                    flipped[_random.Next(flipped.Length)] = (byte)_random.Next(256);
                }
                return flipped;
            case 7: // invalid UTF-8: an encoded lone surrogate, an overlong form
                var raw = Encoding.UTF8.GetBytes(text).ToList();
                raw.InsertRange(text.IndexOf("A", StringComparison.Ordinal), _random.Next(2) == 0 ? [0xED, 0xA0, 0x80] : [0xC0, 0xAF]);
                return [.. raw];
            case 8: // wrong types
                return Encoding.UTF8.GetBytes(_random.Next(4) switch
                {
                    0 => "[" + text + "]",
                    1 => text.Replace("\"payload\":{", "\"payload\":\"{", StringComparison.Ordinal),
                    2 => text.Replace("\"vector_clock\":[", "\"vector_clock\":{\"a\":[", StringComparison.Ordinal),
                    _ => "\"" + text.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
                });
            case 9: // a field missing, or an unknown one
                var name = Fields[_random.Next(3)];
                return Encoding.UTF8.GetBytes(_random.Next(2) == 0
                    ? text.Replace($"\"{name}\":", "\"zz\":", StringComparison.Ordinal)
                    : text.Insert(1, "\"unknown\":1,"));
            case 10: // trailing data, two events on one line
                return Encoding.UTF8.GetBytes(text + (_random.Next(2) == 0 ? text : "x"));
            default: // a valid event (huge, regressing or colliding clocks and ids)
                return Encoding.UTF8.GetBytes(text);
        }
    }
}
