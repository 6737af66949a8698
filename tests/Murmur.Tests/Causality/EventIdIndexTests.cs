using CsCheck;
using Murmur.Causality;
using Murmur.Events;

namespace Murmur.Tests.Causality;

public sealed class EventIdIndexTests
{
    [Fact]
    public void RandomAddsAndRemoves_BehaveLikeADictionary()
        => Gen.Select(Gen.Int[0, 60], Gen.Bool).Array[1, 400].Sample(ops =>
        {
            var index = new EventIdIndex();
            var model = new Dictionary<string, AgentEvent>();
            foreach (var (key, add) in ops)
            {
                var id = $"id{key}";
                // A tiny hash range forces long chains and exercises removal from their middle.
                var hash = key % 5;
                if (add && !model.ContainsKey(id))
                {
                    var e = new AgentEvent(id, "A", Actions.Message, default, VectorClock.FromEntries(1));
                    index.Add(e, hash);
                    model[id] = e;
                }
                else if (!add && model.Remove(id, out var e))
                {
                    Assert.True(index.Remove(e, hash));
                }
                Assert.Equal(model.Count, index.Count);
            }
            for (var key = 0; key <= 60; key++)
            {
                model.TryGetValue($"id{key}", out var expected);
                Assert.Same(expected, index.Find($"id{key}", key % 5));
            }
        }, iter: 2000);

    [Fact]
    public void Remove_IsByReference()
    {
        var index = new EventIdIndex();
        var e = new AgentEvent("x", "A", Actions.Message, default, VectorClock.FromEntries(1));
        index.Add(e, EventIdIndex.Hash("x"));

        Assert.False(index.Remove(new AgentEvent("x", "A", Actions.Message, default, VectorClock.FromEntries(1)), EventIdIndex.Hash("x")));
        Assert.True(index.Remove(e, EventIdIndex.Hash("x")));
        Assert.Null(index.Find("x", EventIdIndex.Hash("x")));
    }
}
