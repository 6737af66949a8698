using System.ClientModel;
using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.AI;

namespace Murmur.AI.Providers;

/// <summary>
/// Checks a model endpoint with one small request before agents depend on it, so a wrong endpoint, key or model is
/// one clear <see cref="ModelEndpointException"/> within seconds — not a silent hang or a task budget running out.
/// </summary>
public static class ModelCheck
{
    private static readonly AIFunction Ping = AIFunctionFactory.Create(() => "pong", "murmur_ping", "Answers pong. Call it once.");

    /// <summary>The endpoint a spec talks to when none is given: OpenAI's, or Ollama's default.</summary>
    public static string EndpointOf(string spec, string? endpoint)
        => endpoint ?? (spec.StartsWith("ollama:", StringComparison.Ordinal) ? ChatClientFactory.DefaultOllamaEndpoint : "https://api.openai.com/v1");

    /// <summary>
    /// Sends one request that offers a tool to the model of <paramref name="spec"/> (no retries, at most
    /// <paramref name="timeout"/>) and returns what it measured.
    /// </summary>
    /// <param name="spec">The model, as <see cref="ChatClientFactory.Create"/> takes it; <c>scripted:</c> models are not checked.</param>
    /// <param name="endpoint">The endpoint; the provider's default when null.</param>
    /// <param name="apiKeyEnvVar">The API key's environment variable (OpenAI-compatible endpoints).</param>
    /// <param name="timeout">How long to wait for the answer; 10 s when null.</param>
    /// <param name="options">Environment lookup (for tests); retries and timeouts are set by the check.</param>
    /// <param name="cancellationToken">Cancels the check.</param>
    /// <returns>The measurement, or null for a scripted model.</returns>
    /// <exception cref="ModelEndpointException">The endpoint is unreachable, refuses the key, rate-limits, does not answer in time, does not know the model, or the model cannot call tools.</exception>
    public static async Task<ModelCheckResult?> CheckAsync(string spec, string? endpoint = null, string? apiKeyEnvVar = null, TimeSpan? timeout = null,
        ChatClientFactoryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(spec);
        if (spec.StartsWith("scripted:", StringComparison.Ordinal))
        {
            return null;
        }
        var limit = timeout ?? TimeSpan.FromSeconds(10);
        var where = EndpointOf(spec, endpoint);
        var probeOptions = (options ?? ChatClientFactoryOptions.Default) with { MaxRetries = 0, RetryDelay = null, NetworkTimeout = limit + TimeSpan.FromSeconds(1) };
        using var client = ChatClientFactory.Create(spec, endpoint, apiKeyEnvVar, probeOptions);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(limit);
        var started = Stopwatch.GetTimestamp();
        try
        {
            var response = await client.GetResponseAsync(
                [new ChatMessage(ChatRole.User, "Call the murmur_ping tool once.")],
                new ChatOptions { Tools = [Ping], ToolMode = ChatToolMode.Auto, MaxOutputTokens = 64 },
                deadline.Token).ConfigureAwait(false);
            var called = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Any(c => c.Name == Ping.Name);
            return new ModelCheckResult(where, response.ModelId ?? spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..], Stopwatch.GetElapsedTime(started),
                called, response.Usage?.InputTokenCount, response.Usage?.OutputTokenCount);
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not ModelEndpointException)
        {
            throw Describe(ex, spec, where, limit);
        }
    }

    /// <summary>Turns what a provider threw into one message that names the endpoint, the problem and the fix.</summary>
    public static ModelEndpointException Describe(Exception exception, string spec, string endpoint, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var (status, text) = StatusOf(exception);
        var model = spec[(spec.IndexOf(':', StringComparison.Ordinal) + 1)..];
        var (problem, message) = exception switch
        {
            OperationCanceledException or TimeoutException => (ModelProblem.NoAnswer,
                $"model endpoint {endpoint} accepted the connection but did not answer within {timeout.TotalSeconds:0.#} s (is the model still loading, or the server stuck?)"),
            _ when status is 401 or 403 => (ModelProblem.Unauthorized,
                $"model endpoint {endpoint} refused the API key ({status}): check the key's environment variable{Detail(text)}"),
            _ when status == 429 => (ModelProblem.RateLimited,
                $"model endpoint {endpoint} is rate-limiting or out of quota (429): wait, or check the account's limits{Detail(text)}"),
            _ when text?.Contains("tool", StringComparison.OrdinalIgnoreCase) == true && status is 400 or 422 or 500 => (ModelProblem.NoToolCalling,
                $"model '{model}' at {endpoint} does not support tool calling, which Murmur's agents need: pick a model that does (e.g. llama3.1, qwen2.5, gpt-4o-mini){Detail(text)}"),
            _ when status == 404 => (ModelProblem.UnknownModel,
                $"model endpoint {endpoint} does not know model '{model}' (404){(spec.StartsWith("ollama:", StringComparison.Ordinal) ? $": run 'ollama pull {model}'" : "")}{Detail(text)}"),
            _ when Unreachable(exception) is { } why => (ModelProblem.Unreachable,
                $"model endpoint {endpoint} is unreachable: {why}{(spec.StartsWith("ollama:", StringComparison.Ordinal) ? " (is 'ollama serve' running?)" : "")}"),
            _ => (ModelProblem.Failed, $"model endpoint {endpoint} failed: {(status is { } s ? $"{s}: " : "")}{exception.Message}"),
        };
        return new ModelEndpointException(endpoint, problem, message, exception);
    }

    private static string Detail(string? text) => string.IsNullOrWhiteSpace(text) ? "" : $" — it said: {Shorten(text)}";

    private static string Shorten(string text)
    {
        var line = text.ReplaceLineEndings(" ").Trim();
        return line.Length <= 200 ? line : line[..200] + "…";
    }

    private static (int? Status, string? Text) StatusOf(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ClientResultException client when client.Status != 0:
                    return (client.Status, client.Message);
                case HttpRequestException { StatusCode: { } code } http:
                    return ((int)code, http.Message);
            }
        }
        // OllamaSharp reports an error answer as a plain exception whose message carries the server's text.
        return (exception.Message.Contains("does not support tools", StringComparison.OrdinalIgnoreCase) ? 400 : null, exception.Message);
    }

    private static string? Unreachable(Exception exception)
    {
        // The socket's error is the most precise; it sits below the HTTP stack's exceptions.
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is SocketException socket)
            {
                return socket.SocketErrorCode switch
                {
                    SocketError.ConnectionRefused => "the connection was refused (nothing listens there)",
                    SocketError.HostNotFound or SocketError.NoData => "the host name is unknown",
                    _ => socket.Message,
                };
            }
        }
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is HttpRequestException { StatusCode: null } http)
            {
                return http.HttpRequestError == HttpRequestError.ConnectionError ? "the connection failed" : http.Message;
            }
        }
        return exception is ClientResultException { Status: 0 } ? exception.Message : null;
    }
}
