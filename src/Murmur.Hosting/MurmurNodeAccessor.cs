using Murmur.Topics;

namespace Murmur.Hosting;

/// <summary>The hosted node, for services that publish or inspect: available from the end of the host's start until its stop begins.</summary>
/// <remarks>Thread-safe.</remarks>
public sealed class MurmurNodeAccessor
{
    private Running? _running;

    private sealed record Running(MurmurNode Node, IReadOnlyDictionary<string, Topic> Topics);

    /// <summary>True while the node runs (started, and stop not yet begun).</summary>
    public bool IsRunning => Volatile.Read(ref _running) is not null;

    /// <summary>The running node.</summary>
    /// <exception cref="InvalidOperationException">The host has not started the node yet, or is stopping.</exception>
    public MurmurNode Node => Current.Node;

    /// <summary>The running node, or <see langword="null"/> before start and from the beginning of stop.</summary>
    public MurmurNode? NodeOrNull => Volatile.Read(ref _running)?.Node;

    /// <summary>The topics opened at start (configured ones and those of registered agents), by name.</summary>
    /// <exception cref="InvalidOperationException">The node is not running.</exception>
    public IReadOnlyDictionary<string, Topic> Topics => Current.Topics;

    /// <summary>A topic opened at start.</summary>
    /// <exception cref="InvalidOperationException">The node is not running.</exception>
    /// <exception cref="KeyNotFoundException">No topic of that name was opened at start.</exception>
    public Topic GetTopic(string name)
        => Current.Topics.TryGetValue(name, out var topic) ? topic : throw new KeyNotFoundException($"No topic '{name}' was opened at start; list it in Murmur:Topics or register an agent on it.");

    private Running Current => Volatile.Read(ref _running) ?? throw new InvalidOperationException(
        "The Murmur node is not running: the host has not started it yet, or it is stopping.");

    internal void Set(MurmurNode node, IReadOnlyDictionary<string, Topic> topics) => Volatile.Write(ref _running, new Running(node, topics));

    /// <summary>Stop begins: no more work is handed out; returns the node to dispose, if it ran.</summary>
    internal MurmurNode? Clear() => Interlocked.Exchange(ref _running, null)?.Node;
}
