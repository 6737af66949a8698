using Microsoft.Extensions.AI;

namespace Murmur.AI.Tests.Support;

/// <summary>
/// A model that calls one tool once (with the given arguments) and, once a tool result is in the conversation,
/// answers <c>"result: …"</c> with it. Linked into the test projects that need an agent making one call.
/// </summary>
internal sealed class OneCallModel(string tool, Dictionary<string, object?> arguments) : IChatClient
{
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => Task.FromResult(new ChatResponse(messages.SelectMany(m => m.Contents).OfType<FunctionResultContent>().FirstOrDefault() is { } result
            ? new ChatMessage(ChatRole.Assistant, "result: " + result.Result)
            : new ChatMessage(ChatRole.Assistant, [new FunctionCallContent("c1", tool, arguments)])));

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("the one-call model does not stream");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
