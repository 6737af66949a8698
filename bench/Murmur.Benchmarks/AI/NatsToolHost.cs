using Murmur.Benchmarks.Log;
using NATS.Client.Core;

namespace Murmur.Benchmarks.AI;

/// <summary>
/// The latency-trap tool behind core NATS request/reply: a single nats-server on loopback (port 34231, started and
/// stopped here), a responder task on its own connection that runs <c>noop(n) => n + 1</c>, and the caller's connection.
/// </summary>
internal sealed class NatsToolHost : IAsyncDisposable
{
    private const string Subject = "murmur-bench.tools.noop";
    private readonly NatsServers _server;
    private readonly NatsConnection _caller;
    private readonly NatsConnection _responder;
    private readonly CancellationTokenSource _stop = new();
    private Task _responding = Task.CompletedTask;

    private NatsToolHost(NatsServers server)
    {
        _server = server;
        _caller = new NatsConnection(new NatsOpts { Url = server.Url, Name = "latency-trap-agent" });
        _responder = new NatsConnection(new NatsOpts { Url = server.Url, Name = "latency-trap-tool" });
    }

    public static async Task<NatsToolHost> StartAsync()
    {
        var server = await NatsServers.StartAsync(1, 34231, 36231, 38231, jetStream: false);
        var host = new NatsToolHost(server);
        try
        {
            await host._caller.ConnectAsync();
            await host._responder.ConnectAsync();
            var subscription = await host._responder.SubscribeCoreAsync<int>(Subject, cancellationToken: host._stop.Token);
            host._responding = Task.Run(async () =>
            {
                await using (subscription)
                {
                    await foreach (var message in subscription.Msgs.ReadAllAsync(host._stop.Token))
                    {
                        await message.ReplyAsync(message.Data + 1);
                    }
                }
            });
            // One round trip so the subscription is known to the server before the measurement.
            await host.CallAsync(0);
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>The tool as the agent sees it: one request, one reply.</summary>
    public async Task<int> CallAsync(int n)
    {
        var reply = await _caller.RequestAsync<int, int>(Subject, n);
        return reply.Data;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _responding;
        }
        catch (OperationCanceledException)
        {
            // stopped
        }
        await _caller.DisposeAsync();
        await _responder.DisposeAsync();
        await _server.DisposeAsync();
        _stop.Dispose();
    }
}
