namespace Murmur.AgentFramework;

/// <summary>The actions this assembly adds to the wire format.</summary>
public static class AgentFrameworkActions
{
    /// <summary>
    /// <c>AGENT_SESSION {"agent":…,"session":{…}}</c>: an Agent Framework agent's serialized <c>AgentSession</c> after a
    /// run. Every event at or before it (by vector clock) is in the session; a restarted agent resumes from the latest one.
    /// </summary>
    public const string Session = "AGENT_SESSION";
}
