namespace Murmur.Fleet;

/// <summary>One node's announcement as a membership store holds it.</summary>
/// <param name="Node">The node (the store's key).</param>
/// <param name="Data">The encoded <see cref="NodeAnnouncement"/>, untrusted until decoded; empty when a watch reports the record removed.</param>
public readonly record struct MembershipRecord(string Node, ReadOnlyMemory<byte> Data);
