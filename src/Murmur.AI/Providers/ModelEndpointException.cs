namespace Murmur.AI.Providers;

/// <summary>A model endpoint could not be used: one clear message that names the endpoint and what to do.</summary>
public sealed class ModelEndpointException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ModelEndpointException(string endpoint, ModelProblem problem, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Endpoint = endpoint;
        Problem = problem;
    }

    /// <summary>The endpoint that failed.</summary>
    public string Endpoint { get; }

    /// <summary>What went wrong.</summary>
    public ModelProblem Problem { get; }

    /// <summary>True when trying again later may work (rate limits, no answer, unreachable); false for keys, models and capabilities.</summary>
    public bool IsTransient => Problem is ModelProblem.RateLimited or ModelProblem.NoAnswer or ModelProblem.Unreachable;
}
