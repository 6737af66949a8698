using Murmur.Events;

namespace Murmur.Causality;

// Strangers: events of senders whose JOIN has not been delivered yet, held apart until it is.
public sealed partial class CausalBuffer
{
    private OfferResult HoldStranger(AgentEvent e, int hash)
    {
        if (_held >= _options.Capacity)
        {
            return Full();
        }
        _strangersPerActor.TryGetValue(e.Actor, out var count);
        if (count >= _options.MaxHeldPerSender)
        {
            return Reject(RejectionKind.SenderFull, $"'{e.Actor}' (not a member yet) already has {count} events waiting for its JOIN; at most {_options.MaxHeldPerSender} are held per sender");
        }
        _strangersPerActor[e.Actor] = count + 1;
        _strangers.Add(new Held(e, Now(), hash));
        _ids.Add(e, hash);
        _held++;
        return new OfferResult(OfferOutcome.Buffered, 0, RejectionKind.None, null);
    }

    private void ReleaseStrangers(string actor)
    {
        // Re-admit, in arrival order, what the newcomer sent before its JOIN was delivered.
        for (var i = 0; i < _strangers.Count;)
        {
            var held = _strangers[i];
            if (!string.Equals(held.Event.Actor, actor, StringComparison.Ordinal))
            {
                i++;
                continue;
            }
            _strangers.RemoveAt(i);
            ForgetStranger(held.Event.Actor);
            _ids.Remove(held.Event, held.Hash);
            _held--;
            // Its outcome was reported as Buffered when it arrived; a late rejection shows only in the counters.
            Admit(held.Event, released: true);
        }
    }

    private void ForgetStranger(string actor)
    {
        if (_strangersPerActor.TryGetValue(actor, out var count) && count > 1)
        {
            _strangersPerActor[actor] = count - 1;
        }
        else
        {
            _strangersPerActor.Remove(actor);
        }
    }
}
