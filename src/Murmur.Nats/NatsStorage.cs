namespace Murmur.Nats;

/// <summary>Where JetStream keeps the stream.</summary>
public enum NatsStorage
{
    /// <summary>On disk: survives server restarts.</summary>
    File,

    /// <summary>In memory: lost when the servers restart.</summary>
    Memory,
}
