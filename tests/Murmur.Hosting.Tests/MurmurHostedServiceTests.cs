using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Murmur.Agents;
using Murmur.Topics;

namespace Murmur.Hosting.Tests;

public sealed class MurmurHostedServiceTests
{
    private static readonly TimeSpan Patience = HostBuilding.Patience;

    private static Dictionary<string, string?> Config(string topic) => new()
    {
        ["Murmur:NodeId"] = "host-1",
        ["Murmur:Topics:0:Name"] = topic,
        ["Murmur:Topics:0:Consistency"] = "Eventual",
    };

    [Fact]
    public async Task HostStart_StartsTheNodeAndSpawnsTheAgents_WhichGossip()
    {
        using var host = HostBuilding.Build(Config("chat"), m => m
            .UseInMemoryLog()
            .AddAgent<Pinger>("Pinger", "chat")
            .AddAgent<Ponger>("Ponger", "chat"));
        await host.StartAsync().WaitAsync(Patience);
        var accessor = host.Services.GetRequiredService<MurmurNodeAccessor>();

        var pong = await accessor.GetTopic("chat").WaitForEventAsync(e => e.Action == "PONG").WaitAsync(Patience);

        Assert.Equal("Ponger", pong.Actor);
        Assert.Equal("host-1", accessor.Node.NodeId);
        var ping = accessor.GetTopic("chat").History.Single(e => e.Action == "PING");
        Assert.Contains("hi from DI", System.Text.Encoding.UTF8.GetString(ping.Payload.Span), StringComparison.Ordinal);
        Assert.Equal(2, accessor.Node.Runtime.Agents.Count);
        await host.StopAsync().WaitAsync(Patience);
    }

    [Fact]
    public async Task HostStop_DisposesTheNode_AgentsStopped_AccessorRefusesWork()
    {
        using var host = HostBuilding.Build(Config("chat"), m => m
            .AddAgent<Pinger>("Pinger", "chat")
            .AddAgent<Ponger>("Ponger", "chat"));
        await host.StartAsync().WaitAsync(Patience);
        var accessor = host.Services.GetRequiredService<MurmurNodeAccessor>();
        var node = accessor.Node;

        await host.StopAsync().WaitAsync(Patience);

        Assert.False(accessor.IsRunning);
        Assert.Throws<InvalidOperationException>(() => accessor.Node);
        Assert.True(node.Runtime.Completion.IsCompletedSuccessfully);
        Assert.Equal(2, host.Services.GetRequiredService<Probe>().Stops);
    }

    [Fact]
    public async Task HostStop_AnAgentThatDoesNotStop_ReturnsAtTheHostShutdownTimeout()
    {
        using var host = HostBuilding.Build(Config("chat"),
            m => m.AddAgent<Pinger>("Pinger", "chat", options: new SpawnOptions { ShutdownTimeout = Timeout.InfiniteTimeSpan }),
            shutdownTimeout: TimeSpan.FromMilliseconds(200));
        var probe = host.Services.GetRequiredService<Probe>();
        probe.BlockStopping = true;
        await host.StartAsync().WaitAsync(Patience);
        var node = host.Services.GetRequiredService<MurmurNodeAccessor>().Node;

        await host.StopAsync().WaitAsync(Patience);

        Assert.False(node.Runtime.Completion.IsCompleted); // still stopping in the background
        probe.BlockStop.SetResult();
        await node.Runtime.Completion.WaitAsync(Patience);
    }

    [Theory]
    [InlineData("Murmur:NodeId", "  ", "Murmur:NodeId")]
    [InlineData("Murmur:Topics:0:Name", "bad..name", "Murmur:Topics:0:Name")]
    [InlineData("Murmur:HealthProbeTimeout", "-00:00:01", "Murmur:HealthProbeTimeout")]
    public async Task InvalidConfiguration_FailsAtStart_WithAMessageNamingTheOption(string key, string value, string named)
    {
        var config = Config("chat");
        config[key] = value;
        using var host = HostBuilding.Build(config, m => m.AddAgent<Ponger>("Ponger", "chat"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Patience));

        Assert.Contains(named, error.Message, StringComparison.Ordinal);
        Assert.False(host.Services.GetRequiredService<MurmurNodeAccessor>().IsRunning);
    }

    [Fact]
    public async Task AgentWantingAnotherModeThanConfigured_FailsAtStart()
    {
        using var host = HostBuilding.Build(Config("chat"), m => m.AddAgent<Ponger>("Ponger", "chat", Consistency.Strict));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => host.StartAsync().WaitAsync(Patience));

        Assert.Contains("AddAgent('Ponger')", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AddAgent_SameIdTwice_Throws()
    {
        var services = new ServiceCollection();
        var murmur = services.AddMurmur().AddAgent<Ponger>("Ponger", "chat");

        Assert.Throws<ArgumentException>(() => murmur.AddAgent<Pinger>("Ponger", "chat"));
    }

    [Fact]
    public async Task AddMurmur_CodeOptions_OverrideConfiguration()
    {
        using var host = HostBuilding.Build(Config("chat"), m => m.Services.AddMurmur(o => o.NodeId = "from-code"));
        await host.StartAsync().WaitAsync(Patience);

        Assert.Equal("from-code", host.Services.GetRequiredService<MurmurNodeAccessor>().Node.NodeId);
        Assert.Single(host.Services.GetServices<IHostedService>().OfType<MurmurHostedService>());
        await host.StopAsync().WaitAsync(Patience);
    }
}
