using Proto;

namespace Murmur.Benchmarks.Runtime;

/// <summary>Proto.Actor with its default configuration (thread-pool dispatcher, default mailbox throughput).</summary>
internal static class ProtoPeer
{
    public static ActorSystem Create() => new(ActorSystemConfig.Setup());

    public static async Task ShutdownAsync(ActorSystem system)
    {
        await system.ShutdownAsync("bench done").ConfigureAwait(false);
        await system.DisposeAsync().ConfigureAwait(false);
    }
}
