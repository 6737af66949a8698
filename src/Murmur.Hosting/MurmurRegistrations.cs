namespace Murmur.Hosting;

/// <summary>What <see cref="MurmurBuilder"/> collected: node configuration steps and agents, in registration order.</summary>
internal sealed class MurmurRegistrations
{
    public List<Action<IServiceProvider, MurmurNodeBuilder>> NodeSteps { get; } = [];

    public List<AgentRegistration> Agents { get; } = [];
}
