using Murmur.Agents;

namespace Murmur.Kafka.Integration.Tests;

/// <summary>Publishes as many events as it is asked for on its first topic, then replies with the count.</summary>
internal sealed class Talker : Agent
{
    protected override async ValueTask ReceiveAsync(object message, CancellationToken cancellationToken)
    {
        if (message is int count)
        {
            for (var i = 0; i < count; i++)
            {
                await Topics[0].PublishAsync("say", new { i }, cancellationToken: cancellationToken);
            }
            Context.Reply(count);
        }
    }
}
