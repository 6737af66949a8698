namespace Murmur.Kafka.Tests;

public sealed class RecentIdsTests
{
    [Fact]
    public void Register_ReturnsTheEarlierAppend_ForTheSameTopicAndId()
    {
        var recent = new RecentEventIds(10);
        var first = Task.FromResult(5L);
        Assert.Null(recent.TryRegister("t", "e1", first));
        Assert.Same(first, recent.TryRegister("t", "e1", Task.FromResult(9L)));
        Assert.Null(recent.TryRegister("other", "e1", Task.FromResult(7L)));
    }

    [Fact]
    public void Forget_LetsARetryProduceAgain_ButOnlyForTheSameAttempt()
    {
        var recent = new RecentEventIds(10);
        var failed = new TaskCompletionSource<long>().Task;
        recent.TryRegister("t", "e1", failed);
        recent.Forget("t", "e1", new TaskCompletionSource<long>().Task);
        Assert.Same(failed, recent.TryRegister("t", "e1", Task.FromResult(1L)));
        recent.Forget("t", "e1", failed);
        Assert.Null(recent.TryRegister("t", "e1", Task.FromResult(2L)));
    }

    [Fact]
    public void Capacity_ForgetsTheOldestFirst()
    {
        var recent = new RecentEventIds(3);
        for (var i = 0; i < 5; i++)
        {
            recent.TryRegister("t", $"e{i}", Task.FromResult((long)i));
        }
        Assert.Equal(3, recent.Count);
        Assert.Null(recent.TryRegister("t", "e0", Task.FromResult(10L)));
        Assert.NotNull(recent.TryRegister("t", "e4", Task.FromResult(10L)));
        Assert.Null(new RecentEventIds(0).TryRegister("t", "e", Task.FromResult(1L)));
    }

    [Fact]
    public void Seen_DropsRepeats_WithinItsWindow_AndNeverEmptyIds()
    {
        var seen = new SeenEventIds(2);
        Assert.True(seen.Add("a"));
        Assert.False(seen.Add("a"));
        Assert.True(seen.Add("b"));
        Assert.True(seen.Add("c")); // "a" leaves the window
        Assert.True(seen.Add("a"));
        Assert.True(seen.Add(""));
        Assert.True(seen.Add(""));
    }
}
