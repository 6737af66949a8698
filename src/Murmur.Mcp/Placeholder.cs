namespace Murmur.Mcp; internal static class Placeholder { }
