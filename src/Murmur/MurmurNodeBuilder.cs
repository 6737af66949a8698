using Murmur.Logs;

namespace Murmur;

/// <summary>Configures a node: its log and its options. Transports add <c>UseNats</c> / <c>UseKafka</c> extensions.</summary>
public sealed class MurmurNodeBuilder
{
    internal Func<CancellationToken, Task<IEventLog>> LogFactory { get; private set; } = _ => Task.FromResult<IEventLog>(new InMemoryEventLog());

    internal bool OwnsLog { get; private set; } = true;

    /// <summary>The node's options.</summary>
    public MurmurNodeOptions Options { get; set; } = new();

    /// <summary>Uses the embedded in-memory log (the default). Pass a shared log to put several nodes of one process on one mesh.</summary>
    public MurmurNodeBuilder UseInMemoryLog(InMemoryEventLog? shared = null)
    {
        if (shared is null)
        {
            return UseLog(_ => Task.FromResult<IEventLog>(new InMemoryEventLog()), ownsLog: true);
        }
        return UseLog(_ => Task.FromResult<IEventLog>(shared), ownsLog: false);
    }

    /// <summary>Uses a log created when the node starts; the node disposes it when <paramref name="ownsLog"/>.</summary>
    public MurmurNodeBuilder UseLog(Func<CancellationToken, Task<IEventLog>> factory, bool ownsLog = true)
    {
        ArgumentNullException.ThrowIfNull(factory);
        LogFactory = factory;
        OwnsLog = ownsLog;
        return this;
    }

    /// <summary>Uses an existing log, which the node does not dispose.</summary>
    public MurmurNodeBuilder UseLog(IEventLog log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return UseLog(_ => Task.FromResult(log), ownsLog: false);
    }

    /// <summary>Changes the options.</summary>
    public MurmurNodeBuilder Configure(Func<MurmurNodeOptions, MurmurNodeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        Options = configure(Options);
        return this;
    }
}
