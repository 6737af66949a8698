namespace Murmur.Mcp.Tests.Support;

/// <summary>The npm packages tests/npm.sh installs (MCP reference servers, the MCP TypeScript SDK) and the node that runs them.</summary>
internal static class Npm
{
    /// <summary>tests/npm of this checkout.</summary>
    public static string Folder { get; } = FindFolder();

    public static string Node { get; } = FindNode();

    public static string Package(string name) => Path.Combine(Folder, "node_modules", name);

    public static string FilesystemServer => Path.Combine(Package("@modelcontextprotocol/server-filesystem"), "dist", "index.js");

    public static string EverythingServer => Path.Combine(Package("@modelcontextprotocol/server-everything"), "dist", "index.js");

    public static string CrashingServer => Path.Combine(Folder, "crashing-server.mjs");

    private static string FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "npm");
            if (File.Exists(Path.Combine(candidate, "package.json")))
            {
                if (!Directory.Exists(Path.Combine(candidate, "node_modules", "@modelcontextprotocol")))
                {
                    throw new InvalidOperationException($"the npm packages the MCP tests need are not installed in {candidate}: run 'source tests/npm.sh && murmur_npm_install' (test.sh does).");
                }
                return candidate;
            }
        }
        throw new InvalidOperationException("tests/npm was not found above " + AppContext.BaseDirectory);
    }

    private static string FindNode()
    {
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var path = Path.Combine(dir, "node");
            if (File.Exists(path))
            {
                return path;
            }
        }
        throw new InvalidOperationException("node is not on PATH: tests/npm.sh installs it (apt-get install nodejs npm).");
    }
}
