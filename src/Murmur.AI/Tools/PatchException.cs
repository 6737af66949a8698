namespace Murmur.AI.Tools;

/// <summary>A unified diff is malformed or does not apply to the current file; the message names the hunk and line.</summary>
public sealed class PatchException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PatchException()
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public PatchException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    public PatchException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
