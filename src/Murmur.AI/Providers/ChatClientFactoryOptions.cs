namespace Murmur.AI.Providers;

/// <summary>Transport settings for the clients <see cref="ChatClientFactory"/> creates.</summary>
public sealed record ChatClientFactoryOptions
{
    /// <summary>The defaults.</summary>
    public static ChatClientFactoryOptions Default { get; } = new();

    /// <summary>Retries after a retriable failure (429, 5xx, network), for the OpenAI protocol.</summary>
    /// <value>3.</value>
    public int MaxRetries { get; init; } = 3;

    /// <summary>The delay before a retry when the server gives no Retry-After; null keeps the SDK's exponential backoff.</summary>
    /// <value>null.</value>
    public TimeSpan? RetryDelay { get; init; }

    /// <summary>Timeout of one HTTP request.</summary>
    /// <value>100 s.</value>
    public TimeSpan NetworkTimeout { get; init; } = TimeSpan.FromSeconds(100);

    /// <summary>Reads an environment variable; tests replace it.</summary>
    /// <value><see cref="Environment.GetEnvironmentVariable(string)"/>.</value>
    public Func<string, string?> GetEnvironmentVariable { get; init; } = Environment.GetEnvironmentVariable;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegative(MaxRetries, nameof(MaxRetries));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(NetworkTimeout, TimeSpan.Zero, nameof(NetworkTimeout));
        if (RetryDelay is { } d)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(d.Ticks, nameof(RetryDelay));
        }
    }
}
