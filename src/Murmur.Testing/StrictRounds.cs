using System.Security.Cryptography;
using System.Text;
using Murmur.Agents;
using Murmur.Topics;
using Xunit;

namespace Murmur.Testing;

/// <summary>What every strict member saw, round by round, as a hash of the cumulative sequence of event ids.</summary>
public sealed class RoundRecorder
{
    private readonly Dictionary<string, List<string>> _cumulative = [];
    private readonly List<(string Actor, int Round, string Hash)> _views = [];
    private readonly List<string> _violations = [];

    public void Record(TopicView view, bool freshInstance)
    {
        lock (_views)
        {
            if (freshInstance || !_cumulative.TryGetValue(view.Member.Actor, out var seen))
            {
                seen = _cumulative[view.Member.Actor] = [];
            }
            foreach (var e in view.New)
            {
                if (e.Round is { } r && view.Round is { } open && r >= open)
                {
                    _violations.Add($"{view.Member.Actor} saw {e.EventId} of round {r} in round {view.Round}");
                }
                seen.Add(e.EventId);
            }
            if (view.Round is { } round && !view.IsReplay)
            {
                _views.Add((view.Member.Actor, round, Hash(seen)));
            }
        }
    }

    /// <summary>Every view of round r equals the node's history up to where round r−1 closed; no member saw its own round.</summary>
    public void AssertIdenticalViews(Topic topic, int rounds)
    {
        Assert.Empty(Violations);
        var history = topic.History.Select(e => e.EventId).ToList();
        var closes = topic.ClosePositions;
        foreach (var group in Views.GroupBy(v => v.Round))
        {
            var round = group.Key;
            var expected = Hash(round == 0 ? [] : history.Take((int)closes[round - 1]));
            Assert.All(group, v => Assert.Equal(expected, v.Hash));
        }
        Assert.True(Views.Select(v => v.Round).Distinct().Count() >= rounds, "every round up to the limit was viewed");
    }

    public static string Hash(IEnumerable<string> ids) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\n', ids))))[..16];

    public IReadOnlyList<(string Actor, int Round, string Hash)> Views
    {
        get
        {
            lock (_views)
            {
                return [.. _views];
            }
        }
    }

    public IReadOnlyList<string> Violations
    {
        get
        {
            lock (_views)
            {
                return [.. _violations];
            }
        }
    }
}

/// <summary>In each round up to a limit, publishes a seeded random number of events, yielding at random in between; may crash once.</summary>
public sealed class RoundWorker(RoundRecorder recorder, int seed, int rounds, int crashInRound = -1, StrongBox<bool>? crashed = null) : Agent
{
    private bool _fresh = true;

    protected override async ValueTask OnEventsAsync(TopicView view, CancellationToken cancellationToken)
    {
        recorder.Record(view, _fresh);
        _fresh = false;
        if (view.IsReplay || view.Round is not { } round || round >= rounds)
        {
            return;
        }
        var random = new Random(HashCode.Combine(seed, view.Member.Actor.GetHashCode(StringComparison.Ordinal), round));
        // At least one event per round up to the limit: a round with no work makes the topic go quiet (by design).
        var count = random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            if (random.Next(2) == 0)
            {
                await Task.Yield();
            }
            await view.PublishAsync("work", new { round, i }, cancellationToken: cancellationToken);
            if (round == crashInRound && crashed is { Value: false })
            {
                crashed.Value = true;
                throw new InvalidOperationException($"{view.Member.Actor} crashes in round {round} on purpose");
            }
        }
    }
}

public sealed class StrongBox<T>(T value)
{
    /// <summary>The value.</summary>
    public T Value { get; set; } = value;
}

