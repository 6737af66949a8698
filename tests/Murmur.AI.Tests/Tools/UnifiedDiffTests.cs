using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;

namespace Murmur.AI.Tests.Tools;

public sealed class UnifiedDiffTests : IDisposable
{
    private const string Original = "a\nb\nc\nd\ne\nf\ng\nh\n";

    private const string Good = """
        --- a/f.txt
        +++ b/f.txt
        @@ -1,3 +1,3 @@
         a
        -b
        +B
         c
        @@ -6,3 +6,4 @@
         f
         g
        +g2
         h

        """;

    private readonly TempTree _tree = new();

    public void Dispose() => _tree.Dispose();

    [Fact]
    public void GoodPatch_Applies()
        => Assert.Equal("a\nB\nc\nd\ne\nf\ng\ng2\nh\n", UnifiedDiff.Parse(Good).Apply(Original));

    [Fact]
    public void PatchForTheWrongContext_IsRefused_WithTheHunkNumber()
    {
        var changed = Original.Replace("g\n", "G\n", StringComparison.Ordinal);
        var ex = Assert.Throws<PatchException>(() => UnifiedDiff.Parse(Good).Apply(changed));
        Assert.Contains("hunk 2 does not apply at line 7", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MalformedDiff_NamesTheProblem()
    {
        Assert.Contains("hunk 1", Assert.Throws<PatchException>(() => UnifiedDiff.Parse("@@ -1,2 +1,2 @@\n a\n")).Message, StringComparison.Ordinal);
        Assert.Contains("no hunk", Assert.Throws<PatchException>(() => UnifiedDiff.Parse("--- a\n+++ b\n")).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProposePatch_ValidatesAndTouchesNoFile_ApplyPatchWritesAndIsMarkedSideEffecting()
    {
        var file = _tree.Write("f.txt", Original);
        var propose = BuiltInTools.ProposePatch(_tree.Root);
        var apply = BuiltInTools.ApplyPatch(_tree.Root);
        var args = new AIFunctionArguments { ["path"] = "f.txt", ["unified_diff"] = Good };

        var proposal = (JsonElement)(await propose.InvokeAsync(args))!;
        Assert.True(proposal.GetProperty("applies").GetBoolean());
        Assert.Equal(2, proposal.GetProperty("hunks").GetInt32());
        Assert.Equal(Original, File.ReadAllText(file));
        Assert.False(ToolRegistry.IsSideEffecting(propose));

        Assert.True(ToolRegistry.IsSideEffecting(apply));
        await apply.InvokeAsync(args);
        Assert.Equal("a\nB\nc\nd\ne\nf\ng\ng2\nh\n", File.ReadAllText(file));
        await Assert.ThrowsAsync<PatchException>(async () => await propose.InvokeAsync(args)); // already applied: context no longer matches
    }
}
