namespace Murmur.AI.Tools.Mesh;

/// <summary>No node of the mesh can take the agent (no node offers its kind), or the chosen node refused it.</summary>
public sealed class PlacementException : Exception
{
    /// <summary>Creates the exception.</summary>
    public PlacementException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with an inner exception.</summary>
    public PlacementException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with the default message.</summary>
    public PlacementException()
        : base("The agent could not be placed on any node of the tool mesh.")
    {
    }
}
