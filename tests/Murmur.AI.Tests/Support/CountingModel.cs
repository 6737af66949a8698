using Microsoft.Extensions.AI;

namespace Murmur.AI.Tests.Support;

/// <summary>
/// A deterministic model whose answer is a function of the conversation, as a real one's is: while fewer than
/// <c>steps</c> tool results are in the conversation it calls <c>record_effect(id: "effect-{n+1}")</c>, then it answers
/// "[scripted] done". It can be held at one step (it waits, cancellably, until released) to stop a node mid-task.
/// </summary>
internal sealed class CountingModel(int steps, int? holdAtResults = null) : IChatClient
{
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<IReadOnlyList<ChatMessage>> _seen = [];

    /// <summary>Completes when the model is holding (the node can be stopped now).</summary>
    public Task Held => _held.Task;

    /// <summary>The conversations it was called with.</summary>
    public IReadOnlyList<IReadOnlyList<ChatMessage>> Seen
    {
        get
        {
            lock (_seen)
            {
                return [.. _seen];
            }
        }
    }

    public static int Results(IEnumerable<ChatMessage> conversation) => conversation.SelectMany(m => m.Contents).OfType<FunctionResultContent>().Count();

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var conversation = messages.ToList();
        lock (_seen)
        {
            _seen.Add(conversation);
        }
        var results = Results(conversation);
        if (results == holdAtResults)
        {
            _held.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
        }
        var message = results < steps
            ? new ChatMessage(ChatRole.Assistant, [new FunctionCallContent($"model_call_{results + 1}", "record_effect", new Dictionary<string, object?> { ["id"] = $"effect-{results + 1}" })])
            : new ChatMessage(ChatRole.Assistant, "[scripted] done");
        return new ChatResponse(message);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
        => throw new NotSupportedException("the counting model does not stream");

    public object? GetService(Type serviceType, object? serviceKey = null) => null;

    public void Dispose()
    {
    }
}
