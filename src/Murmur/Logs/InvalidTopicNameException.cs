namespace Murmur.Logs;

/// <summary>A topic name breaks the rules of <see cref="TopicName"/>.</summary>
public sealed class InvalidTopicNameException : ArgumentException
{
    /// <summary>Creates the exception.</summary>
    public InvalidTopicNameException(string? name, string reason)
        : base($"Invalid topic name '{name}': {reason}.", "topic") => TopicName = name;

    /// <summary>The name that was refused.</summary>
    public string? TopicName { get; }
}
