using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Murmur.AI.Tools;

namespace Murmur.AI.Tests.Support;

/// <summary>Side effects, in the order they happened, recorded by a side-effecting <c>record_effect(id)</c> tool.</summary>
internal sealed class EffectLedger
{
    private readonly ConcurrentQueue<string> _effects = new();
    private readonly TaskCompletionSource _holding = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Effects => [.. _effects];

    /// <summary>Completes when the tool, told to hold after an effect, is holding.</summary>
    public Task Holding => _holding.Task;

    /// <summary>The tool; when <paramref name="holdAfter"/> names an id, the tool records it and then waits (cancellably) before returning.</summary>
    public AIFunction Tool(string? holdAfter = null) => AIFunctionFactory.Create(
        async (string id, CancellationToken cancellationToken) =>
        {
            _effects.Enqueue(id);
            if (id == holdAfter)
            {
                _holding.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            return "recorded " + id;
        },
        new AIFunctionFactoryOptions
        {
            Name = "record_effect",
            Description = "Records an effect (a side effect outside the log).",
            AdditionalProperties = new Dictionary<string, object?> { [ToolRegistry.SideEffectingKey] = true },
        });
}
