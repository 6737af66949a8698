using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using Murmur.AI.Scripted;
using OllamaSharp;
using OpenAI;

namespace Murmur.AI.Providers;

/// <summary>
/// Creates a reasoning engine from a spec: <c>openai:&lt;model&gt;</c> (any OpenAI-compatible endpoint),
/// <c>ollama:&lt;model&gt;</c>, or <c>scripted:&lt;file&gt;</c> (the deterministic offline engine).
/// </summary>
public static class ChatClientFactory
{
    /// <summary>The environment variable read for the OpenAI key when none is named.</summary>
    public const string DefaultOpenAIKeyVariable = "OPENAI_API_KEY";

    /// <summary>The Ollama endpoint used when none is given.</summary>
    public const string DefaultOllamaEndpoint = "http://localhost:11434";

    /// <summary>Creates the client described by <paramref name="spec"/>.</summary>
    /// <param name="spec"><c>provider:model</c>, e.g. <c>openai:gpt-4o-mini</c>, <c>ollama:llama3.2</c>, <c>scripted:script.json</c>.</param>
    /// <param name="endpoint">The provider's base URL (OpenAI: e.g. <c>http://127.0.0.1:8080/v1</c>); null uses the provider's default.</param>
    /// <param name="apiKeyEnvVar">The environment variable holding the key (OpenAI); null means <see cref="DefaultOpenAIKeyVariable"/>.</param>
    /// <param name="options">Retries and timeouts.</param>
    /// <exception cref="ArgumentException">The spec is malformed or names an unknown provider.</exception>
    /// <exception cref="InvalidOperationException">The key variable is not set.</exception>
    /// <exception cref="ScriptException">A scripted engine's script is malformed.</exception>
    public static IChatClient Create(string spec, string? endpoint = null, string? apiKeyEnvVar = null, ChatClientFactoryOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        options ??= ChatClientFactoryOptions.Default;
        options.Validate();
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0 || colon == spec.Length - 1)
        {
            throw new ArgumentException($"Model spec '{spec}' must be 'provider:model', e.g. 'openai:gpt-4o-mini', 'ollama:llama3.2' or 'scripted:script.json'.", nameof(spec));
        }
        var provider = spec[..colon];
        var model = spec[(colon + 1)..];
        return provider switch
        {
            "openai" => OpenAIClient(model, endpoint, apiKeyEnvVar ?? DefaultOpenAIKeyVariable, options),
            "ollama" => new OllamaApiClient(ParseEndpoint(endpoint ?? DefaultOllamaEndpoint), model),
            "scripted" => ScriptedChatClient.FromFile(model),
            _ => throw new ArgumentException($"Unknown model provider '{provider}' in '{spec}'; known providers: openai, ollama, scripted.", nameof(spec)),
        };
    }

    private static IChatClient OpenAIClient(string model, string? endpoint, string keyVariable, ChatClientFactoryOptions options)
    {
        var key = options.GetEnvironmentVariable(keyVariable);
        if (string.IsNullOrEmpty(key))
        {
            throw new InvalidOperationException($"Provider 'openai' needs an API key in the environment variable '{keyVariable}', which is not set.");
        }
        var clientOptions = new OpenAIClientOptions
        {
            RetryPolicy = options.RetryDelay is { } delay ? new FixedDelayRetryPolicy(options.MaxRetries, delay) : new ClientRetryPolicy(options.MaxRetries),
            NetworkTimeout = options.NetworkTimeout,
        };
        if (endpoint is not null)
        {
            clientOptions.Endpoint = ParseEndpoint(endpoint);
        }
        return new OpenAI.Chat.ChatClient(model, new ApiKeyCredential(key), clientOptions).AsIChatClient();
    }

    private static Uri ParseEndpoint(string endpoint)
        => Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
            ? uri
            : throw new ArgumentException($"Endpoint '{endpoint}' is not an absolute http(s) URL.", nameof(endpoint));

    /// <summary>The SDK's retry rules (429, 5xx, network errors; Retry-After honoured) with a fixed delay instead of its backoff.</summary>
    private sealed class FixedDelayRetryPolicy(int maxRetries, TimeSpan delay) : ClientRetryPolicy(maxRetries)
    {
        protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount) => delay;
    }
}
