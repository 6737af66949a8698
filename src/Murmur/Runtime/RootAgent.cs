using Murmur.Agents;

namespace Murmur.Runtime;

/// <summary>The root supervisor's agent: it only supervises; messages sent to it are ignored.</summary>
internal sealed class RootAgent : Agent
{
    protected override ValueTask ReceiveAsync(object message, CancellationToken cancellationToken) => ValueTask.CompletedTask;
}
