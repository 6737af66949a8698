using Microsoft.Extensions.AI;

namespace Murmur.AgentFramework.Tests.Support;

/// <summary>A chat client whose answer is a delegate over the messages it is sent; it keeps every request.</summary>
internal sealed class RecordingChatClient(Func<IReadOnlyList<ChatMessage>, int, ChatResponse> respond) : IChatClient
{
    private int _calls;

    public List<IReadOnlyList<ChatMessage>> Requests { get; } = [];

    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        lock (Requests)
        {
            Requests.Add(list);
        }
        return Task.FromResult(respond(list, Interlocked.Increment(ref _calls)));
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options, cancellationToken)).ToChatResponseUpdates())
        {
            yield return update;
        }
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
