using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;

namespace Murmur.AI.Tests.Tools;

public sealed class PathGuardTests : IDisposable
{
    private readonly TempTree _tree = new();

    public PathGuardTests()
    {
        _tree.Write("src/app.cs", "auth_token\n");
        File.WriteAllText(Path.Combine(_tree.Parent, "secret.txt"), "outside\n");
    }

    public void Dispose() => _tree.Dispose();

    private PathGuard Guard => new(_tree.Root);

    [Theory]
    [InlineData("../secret.txt", "'..' segments")]
    [InlineData("src/../../secret.txt", "'..' segments")]
    [InlineData("/etc/passwd", "absolute paths")]
    [InlineData("src/app.cs\0.txt", "NUL byte")]
    [InlineData("%2e%2e/secret.txt", "percent-encoded")]
    [InlineData("%2E%2E%2Fsecret.txt", "percent-encoded")]
    [InlineData("．．/secret.txt", "look-alike")]
    [InlineData("src／app.cs", "look-alike")]
    [InlineData("..\\secret.txt", "backslashes")]
    public void TraversalAndInjection_AreRefused_WithTheRule(string path, string rule)
    {
        var ex = Assert.Throws<PathRefusedException>(() => Guard.Resolve(path));
        Assert.Contains(rule, ex.Message, StringComparison.Ordinal);
        Assert.StartsWith("Path '", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverlongPath_IsRefused()
    {
        var ex = Assert.Throws<PathRefusedException>(() => Guard.Resolve(new string('a', 1025)));
        Assert.Contains("the limit is 1024", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SymlinkOutOfTheRoot_IsRefused_ButOneInsideIsFollowed()
    {
        File.CreateSymbolicLink(Path.Combine(_tree.Root, "escape.txt"), Path.Combine(_tree.Parent, "secret.txt"));
        Directory.CreateSymbolicLink(Path.Combine(_tree.Root, "up"), _tree.Parent);
        File.CreateSymbolicLink(Path.Combine(_tree.Root, "inside.cs"), Path.Combine(_tree.Root, "src", "app.cs"));

        Assert.Contains("symbolic link", Assert.Throws<PathRefusedException>(() => Guard.Resolve("escape.txt")).Message, StringComparison.Ordinal);
        Assert.Contains("outside the root", Assert.Throws<PathRefusedException>(() => Guard.Resolve("up/secret.txt")).Message, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(Guard.Root, "src", "app.cs"), Guard.Resolve("inside.cs"));
    }

    [Fact]
    public void HardLinkedFile_IsRefused()
    {
        var link = Path.Combine(_tree.Root, "hard.txt");
        HardLink.Create(link, Path.Combine(_tree.Parent, "secret.txt"));
        var ex = Assert.Throws<PathRefusedException>(() => Guard.Resolve("hard.txt"));
        Assert.Contains("2 hard links", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SiblingWithTheSamePrefix_IsNotInsideTheRoot()
    {
        var evil = _tree.Root + "-evil";
        Directory.CreateDirectory(evil);
        File.WriteAllText(Path.Combine(evil, "x.txt"), "evil");
        Directory.CreateSymbolicLink(Path.Combine(_tree.Root, "sib"), evil);
        Assert.False(Guard.IsInside(evil));
        Assert.False(Guard.IsInside(Path.Combine(evil, "x.txt")));
        Assert.Throws<PathRefusedException>(() => Guard.Resolve("sib/x.txt"));
    }

    [Fact]
    public void NamesStartingWithADash_AreJustNames()
    {
        _tree.Write("-rf", "dash\n");
        Assert.Equal(Path.Combine(Guard.Root, "-rf"), Guard.Resolve("-rf"));
        Assert.Equal(Guard.Root, Guard.Resolve("."));
        Assert.Equal("src/app.cs", Guard.ToRelative(Guard.Resolve("src/app.cs")));
    }

    [Fact]
    public void ADirectorySwappedForALinkOutOfTheRoot_BetweenTheCheckAndTheOpen_IsRefused()
    {
        Directory.CreateDirectory(Path.Combine(_tree.Parent, "elsewhere"));
        File.WriteAllText(Path.Combine(_tree.Parent, "elsewhere", "app.cs"), "outside\n");
        var guard = Guard;
        guard.AfterResolve = _ =>
        {
            Directory.Move(Path.Combine(_tree.Root, "src"), Path.Combine(_tree.Root, "src-old"));
            Directory.CreateSymbolicLink(Path.Combine(_tree.Root, "src"), Path.Combine(_tree.Parent, "elsewhere"));
        };

        var ex = Assert.Throws<PathRefusedException>(() => guard.Open("src/app.cs"));

        Assert.Contains("it changed after it was checked", ex.Message, StringComparison.Ordinal);
        Assert.Contains("outside the root", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileSwappedForAHardLink_BetweenTheCheckAndTheOpen_IsRefused()
    {
        var guard = Guard;
        guard.AfterResolve = real =>
        {
            File.Delete(real);
            HardLink.Create(real, Path.Combine(_tree.Parent, "secret.txt"));
        };

        var ex = Assert.Throws<PathRefusedException>(() => guard.Open("src/app.cs", FileAccess.ReadWrite));

        Assert.Contains("it changed after it was checked: the file opened has 2 hard links", ex.Message, StringComparison.Ordinal);
        Assert.Equal("outside\n", File.ReadAllText(Path.Combine(_tree.Parent, "secret.txt")));
    }

    [Fact]
    public void Open_OfAnUnchangedFile_ReadsIt()
    {
        using var file = Guard.Open("src/app.cs");
        using var reader = new StreamReader(file);

        Assert.Equal("auth_token\n", reader.ReadToEnd());
    }
}
