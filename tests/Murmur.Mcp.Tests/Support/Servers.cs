using Murmur.Supervision;

namespace Murmur.Mcp.Tests.Support;

/// <summary>Specs for the npm MCP servers the tests attach.</summary>
internal static class Servers
{
    public static McpServerSpec Filesystem(string root, string name = "fs") => new()
    {
        Name = name,
        Command = Npm.Node,
        Arguments = [Npm.FilesystemServer, root],
    };

    public static McpServerSpec Everything(string name = "everything") => new()
    {
        Name = name,
        Command = Npm.Node,
        Arguments = [Npm.EverythingServer, "stdio"],
    };

    public static McpServerSpec Crashing(string name = "crashy") => new()
    {
        Name = name,
        Command = Npm.Node,
        Arguments = [Npm.CrashingServer],
        WorkingDirectory = Npm.Folder,
        // Restart at once in tests; the backoff itself is tested with a fake clock.
        Restart = new RestartBackoff { Initial = TimeSpan.Zero, Max = TimeSpan.Zero, Jitter = 0 },
    };
}
