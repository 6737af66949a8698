namespace Murmur.Cli.Tests.Protocol;

/// <summary>Finds docs/protocol (the specification's schemas and conformance corpus) above the test binaries.</summary>
internal static class ProtocolFiles
{
    public static string Directory { get; } = Find();

    public static string Schema(string name) => Path.Combine(Directory, "schema", name + ".json");

    public static IEnumerable<string> CorpusFiles()
        => System.IO.Directory.EnumerateFiles(Path.Combine(Directory, "corpus"), "*.jsonl").Order(StringComparer.Ordinal);

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "protocol");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("docs/protocol not found above the test binaries");
    }
}
