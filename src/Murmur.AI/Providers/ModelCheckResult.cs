namespace Murmur.AI.Providers;

/// <summary>What one probe request to a model endpoint measured.</summary>
/// <param name="Endpoint">The endpoint asked.</param>
/// <param name="Model">The model id the endpoint answered with (or the one asked for).</param>
/// <param name="Latency">The round trip of the probe request.</param>
/// <param name="CalledTool">True when the model answered the probe with a call of the offered tool.</param>
/// <param name="InputTokens">Input tokens the endpoint reported, if it did.</param>
/// <param name="OutputTokens">Output tokens the endpoint reported, if it did.</param>
public sealed record ModelCheckResult(string Endpoint, string Model, TimeSpan Latency, bool CalledTool, long? InputTokens, long? OutputTokens);
