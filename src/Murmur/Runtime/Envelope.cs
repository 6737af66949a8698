using Murmur.Agents;

namespace Murmur.Runtime;

/// <summary>A queued user message and its sender; a 16-byte struct stored inline in the mailbox ring.</summary>
internal readonly struct Envelope(object message, AgentRef? sender)
{
    public readonly object Message = message;
    public readonly AgentRef? Sender = sender;
}
