using System.Text;
using Murmur.Fleet;

namespace Murmur.Nats.Integration.Tests;

/// <summary>The fleet's membership store on NATS (a key-value bucket, one key per node): last write wins, and removals.</summary>
public sealed class NatsMembershipStoreTests
{
    private const string Stream = "MURMUR_MEMBERS";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static string Text(MembershipRecord record) => Encoding.UTF8.GetString(record.Data.Span);

    [Fact]
    public async Task TheLastAnnouncementPerNode_IsWhatAnotherConnectionReads()
    {
        await using var log = await NatsCluster.ConnectAsync(Stream);
        await using var store = (await log.OpenMembershipStoreAsync())!;
        var node = $"n{Guid.NewGuid():N}";
        await store.PublishAsync(node, Encoding.UTF8.GetBytes("beat 1"));
        await store.PublishAsync(node, Encoding.UTF8.GetBytes("beat 2"));

        await using var other = await NatsCluster.ConnectAsync(Stream, url: NatsCluster.UrlOf(3));
        await using var otherStore = (await other.OpenMembershipStoreAsync())!;
        Assert.Equal("beat 2", Text(Assert.Single(await otherStore.ReadAllAsync(), r => r.Node == node)));
    }

    [Fact]
    public async Task ARemovedNode_IsGoneFromReads_AndAWatchSeesTheRemovalAsARecordWithoutData()
    {
        await using var log = await NatsCluster.ConnectAsync(Stream);
        await using var store = (await log.OpenMembershipStoreAsync())!;
        var gone = $"gone{Guid.NewGuid():N}";
        var kept = $"kept{Guid.NewGuid():N}";
        await store.PublishAsync(gone, Encoding.UTF8.GetBytes("left"));
        await store.PublishAsync(kept, Encoding.UTF8.GetBytes("alive"));
        using var cts = new CancellationTokenSource(Patience);
        await using var watch = store.WatchAsync(cts.Token).GetAsyncEnumerator(cts.Token);
        // The watch starts with the current records; the removal comes after the one of 'gone' it has seen.
        while (await watch.MoveNextAsync() && watch.Current.Node != gone)
        {
        }
        Assert.Equal("left", Text(watch.Current));

        await store.RemoveAsync(gone);
        await store.RemoveAsync($"never{Guid.NewGuid():N}"); // removing what is not there does nothing

        while (await watch.MoveNextAsync() && watch.Current.Node != gone)
        {
        }
        Assert.True(watch.Current.Data.IsEmpty, $"after the removal the watch saw '{Text(watch.Current)}'");
        var all = await store.ReadAllAsync();
        Assert.DoesNotContain(all, r => r.Node == gone);
        Assert.Equal("alive", Text(Assert.Single(all, r => r.Node == kept)));
        // A node that announces itself again after its removal is back.
        await store.PublishAsync(gone, Encoding.UTF8.GetBytes("back"));
        Assert.Equal("back", Text(Assert.Single(await store.ReadAllAsync(), r => r.Node == gone)));
    }
}
