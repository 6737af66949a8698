namespace Murmur.AI.Scripted;

/// <summary>A script for <see cref="ScriptedChatClient"/> is malformed; the message names the line or the step and field.</summary>
public sealed class ScriptException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ScriptException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ScriptException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public ScriptException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
