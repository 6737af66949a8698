namespace Murmur.Hosting;

/// <summary>What <see cref="MurmurBuilder"/> collected: node configuration steps and agents, in registration order.</summary>
internal sealed class MurmurRegistrations
{
    public List<Action<IServiceProvider, MurmurNodeBuilder>> NodeSteps { get; } = [];

    public List<AgentRegistration> Agents { get; } = [];

    /// <summary>Run once the node has started, before topics open and agents spawn (e.g. an approvals desk agents use).</summary>
    public List<Func<IServiceProvider, MurmurNode, CancellationToken, Task>> StartedSteps { get; } = [];

    /// <summary>Run when the host stops, after the node was disposed (its agents no longer wait on them), in reverse order.</summary>
    public List<Func<IServiceProvider, Task>> StoppingSteps { get; } = [];
}
