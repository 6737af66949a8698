namespace Murmur.Mcp.Tests.Support;

/// <summary>A temporary directory tree, deleted on dispose.</summary>
internal sealed class TempTree : IDisposable
{
    public TempTree()
    {
        Parent = Path.Combine(Path.GetTempPath(), "murmur-mcp-" + Guid.NewGuid().ToString("N"));
        Root = Path.Combine(Parent, "root");
        Directory.CreateDirectory(Root);
    }

    /// <summary>A directory holding <see cref="Root"/>, so tests can create siblings of the root.</summary>
    public string Parent { get; }

    public string Root { get; }

    public string Write(string relative, string text)
    {
        var path = Path.Combine(Root, relative);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Parent, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
