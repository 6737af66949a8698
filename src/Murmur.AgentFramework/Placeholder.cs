namespace Murmur.AgentFramework; internal static class Placeholder { }
