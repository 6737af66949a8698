namespace Murmur.Logs;

/// <summary>
/// The rules for topic names, shared by every log so a name valid on one transport is valid on all:
/// 1 to 128 characters of <c>A–Z a–z 0–9 _ -</c> and dots between non-empty parts (NATS subject tokens,
/// Kafka keys and file names all accept them).
/// </summary>
public static class TopicName
{
    /// <summary>The longest topic name.</summary>
    public const int MaxLength = 128;

    /// <summary>Returns null when <paramref name="name"/> is valid, else the reason it is not.</summary>
    public static string? Check(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a topic name must not be empty";
        }
        if (name.Length > MaxLength)
        {
            return $"a topic name must be at most {MaxLength} characters (got {name.Length})";
        }
        if (name[0] == '.' || name[^1] == '.' || name.Contains("..", StringComparison.Ordinal))
        {
            return "dots may only separate non-empty parts of a topic name";
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '.'))
            {
                return $"'{(char.IsControl(c) ? $"U+{(int)c:X4}" : c.ToString())}' is not allowed in a topic name (use A-Z a-z 0-9 _ - .)";
            }
        }
        return null;
    }

    /// <summary>Throws <see cref="InvalidTopicNameException"/> unless <paramref name="name"/> is valid.</summary>
    public static void Validate(string? name)
    {
        if (Check(name) is { } reason)
        {
            throw new InvalidTopicNameException(name, reason);
        }
    }
}
