namespace Murmur.Topics;

/// <summary>
/// A wait on a topic that can no longer complete: this node released the topic (its last local member stopped, see
/// <see cref="MurmurNodeOptions.ReleaseTopicsWhenMembersStop"/>) or was disposed, so it no longer reads the topic's log.
/// </summary>
/// <remarks>An <see cref="InvalidOperationException"/>, so code that caught that before keeps working.</remarks>
public sealed class TopicReleasedException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="topic"/>.</summary>
    public TopicReleasedException(string topic)
        : base($"Topic '{topic}' is no longer followed by this node (it was released when its last local member stopped, or the node was disposed); spawn a member on it again to follow it.")
        => Topic = topic;

    /// <summary>The topic.</summary>
    public string Topic { get; }
}
