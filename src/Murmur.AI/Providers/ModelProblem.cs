namespace Murmur.AI.Providers;

/// <summary>What went wrong with a model endpoint, as <see cref="ModelEndpointException"/> reports it.</summary>
public enum ModelProblem
{
    /// <summary>Nothing answered: the connection was refused, the host is unknown or the network is down.</summary>
    Unreachable,

    /// <summary>The endpoint refused the credentials (401/403): a missing or wrong API key.</summary>
    Unauthorized,

    /// <summary>The endpoint is rate-limiting or out of quota (429).</summary>
    RateLimited,

    /// <summary>The endpoint accepted the connection but did not answer in time.</summary>
    NoAnswer,

    /// <summary>The model does not support tool calling, which Murmur's agents need.</summary>
    NoToolCalling,

    /// <summary>The model is not known to the endpoint (404), e.g. not pulled into Ollama.</summary>
    UnknownModel,

    /// <summary>Anything else the endpoint answered with an error.</summary>
    Failed,
}
