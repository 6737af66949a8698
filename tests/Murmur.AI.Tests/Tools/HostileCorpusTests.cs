using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;

namespace Murmur.AI.Tests.Tools;

/// <summary>
/// Every built-in tool against a corpus of traversal and injection attempts: nothing outside the root is read or
/// changed, every refusal is an error with a reason, and no process is spawned. It runs alone: other tests start
/// servers as child processes (mock-llm from npm), which its process check must not count.
/// </summary>
[Collection(RunsAlone.Name)]
public sealed class HostileCorpusTests : IDisposable
{
    private static readonly string[] Paths =
    [
        "../secret.txt", "../../etc/passwd", "src/../../secret.txt", "./../secret.txt", "src/./../../secret.txt",
        "/etc/passwd", "/", "//etc/passwd", "~/secret.txt", "$HOME/secret.txt", "%2e%2e/secret.txt", "..%2fsecret.txt",
        "%2E%2E%5Csecret.txt", "．．/secret.txt", "src／..／..／secret.txt", "‥/secret.txt", "..\\secret.txt", "src\\..\\..\\secret.txt",
        "src/app.cs\0../../secret.txt", "escape.txt", "up/secret.txt", "hard.txt", "../root-evil/x.txt",
        "-rf", "--help", "src; cat /etc/passwd", "$(id)", "`id`", "src | cat /etc/passwd", "src && touch pwned",
        new string('a', 5000), string.Concat(Enumerable.Repeat("a/", 600)),
    ];

    private readonly TempTree _tree = new();

    public HostileCorpusTests()
    {
        _tree.Write("src/app.cs", "auth_token\n");
        File.WriteAllText(Path.Combine(_tree.Parent, "secret.txt"), "outside secret\n");
        File.CreateSymbolicLink(Path.Combine(_tree.Root, "escape.txt"), Path.Combine(_tree.Parent, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_tree.Root, "up"), _tree.Parent);
        HardLink.Create(Path.Combine(_tree.Root, "hard.txt"), Path.Combine(_tree.Parent, "secret.txt"));
        Directory.CreateDirectory(_tree.Root + "-evil");
        File.WriteAllText(Path.Combine(_tree.Root + "-evil", "x.txt"), "evil\n");
    }

    public void Dispose()
    {
        Directory.Delete(_tree.Root + "-evil", recursive: true);
        _tree.Dispose();
    }

    [Fact]
    public async Task EveryToolAndEveryHostilePath_NothingOutsideTheRootIsReadOrChanged_AndNoProcessIsSpawned()
    {
        var outsideBefore = Fingerprint(_tree.Parent, exceptUnder: _tree.Root);
        var childrenBefore = ChildProcesses();
        var tools = BuiltInTools.All(_tree.Root);
        var tried = 0;
        var refused = 0;
        foreach (var tool in tools)
        {
            foreach (var path in Paths)
            {
                tried++;
                var args = new AIFunctionArguments { ["path"] = path, ["query"] = "secret", ["unified_diff"] = "@@ -1 +1 @@\n-outside secret\n+pwned\n" };
                try
                {
                    var result = await tool.InvokeAsync(args);
                    var text = JsonSerializer.Serialize(result);
                    Assert.DoesNotContain("outside secret", text, StringComparison.Ordinal);
                    Assert.DoesNotContain("evil", text, StringComparison.Ordinal);
                }
                catch (Exception ex) when (ex is PathRefusedException or FileNotFoundException or DirectoryNotFoundException or IOException or ArgumentException or PatchException or UnauthorizedAccessException)
                {
                    refused++;
                    Assert.False(string.IsNullOrWhiteSpace(ex.Message));
                }
            }
        }

        Assert.Equal(tools.Count * Paths.Length, tried);
        Assert.Equal(tried, refused); // none of them names a file inside the root
        Assert.Equal(outsideBefore, Fingerprint(_tree.Parent, exceptUnder: _tree.Root));
        Assert.Equal("auth_token\n", File.ReadAllText(Path.Combine(_tree.Root, "src", "app.cs")));
        Assert.Empty(ChildProcesses().Except(childrenBefore)); // a child left by an earlier test may still be exiting
    }

    [Fact]
    public async Task AHugeFile_IsRefusedByReadFile_AndSkippedByGrep()
    {
        var huge = Path.Combine(_tree.Root, "src", "huge.log");
        using (var file = File.Create(huge))
        {
            file.SetLength(BuiltInTools.MaxFileBytes + 1); // sparse: no disk used
        }

        var ex = await Assert.ThrowsAnyAsync<Exception>(async () => await BuiltInTools.ReadFile(_tree.Root).InvokeAsync(new AIFunctionArguments { ["path"] = "src/huge.log" }));
        var grep = JsonSerializer.SerializeToElement(await BuiltInTools.GrepSearch(_tree.Root).InvokeAsync(new AIFunctionArguments { ["query"] = "auth_token" }));

        Assert.Contains($"the limit is {BuiltInTools.MaxFileBytes}", ex.Message, StringComparison.Ordinal);
        Assert.Equal(["src/app.cs"], grep.GetProperty("matches").EnumerateArray().Select(m => m.GetProperty("path").GetString()));
    }

    /// <summary>Names and content hashes of every file under <paramref name="root"/> (links not followed), except one subtree.</summary>
    private static string Fingerprint(string root, string exceptUnder)
    {
        var entries = new DirectoryInfo(root).EnumerateFileSystemInfos("*", new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = 0 })
            .Where(f => !f.FullName.StartsWith(exceptUnder + Path.DirectorySeparatorChar, StringComparison.Ordinal) && f.FullName != exceptUnder)
            .Where(f => f is FileInfo && f.LinkTarget is null)
            .OrderBy(f => f.FullName, StringComparer.Ordinal)
            .Select(f => f.FullName + ":" + Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(f.FullName))));
        return string.Join("\n", entries);
    }

    /// <summary>The children of this process (Linux: every thread's children list).</summary>
    private static List<string> ChildProcesses()
        => [.. Directory.EnumerateDirectories("/proc/self/task")
            .Select(t => Path.Combine(t, "children"))
            .Where(File.Exists)
            .SelectMany(f => File.ReadAllText(f).Split(' ', StringSplitOptions.RemoveEmptyEntries))];
}
