using Microsoft.Extensions.DependencyInjection;
using Murmur.Agents;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Hosting;

/// <summary>
/// Configures the hosted node: its log, node-builder steps (where transports plug in, e.g.
/// <c>ConfigureNode(n =&gt; n.UseNats(url))</c>) and the agents spawned at start. Returned by <c>AddMurmur</c>.
/// </summary>
/// <remarks>Not thread-safe; use it while configuring services.</remarks>
public sealed class MurmurBuilder
{
    private readonly MurmurRegistrations _registrations;

    internal MurmurBuilder(IServiceCollection services, MurmurRegistrations registrations)
    {
        Services = services;
        _registrations = registrations;
    }

    /// <summary>The service collection.</summary>
    public IServiceCollection Services { get; }

    /// <summary>Uses the embedded in-memory log (the default); pass a shared log to put several hosts of one process on one mesh.</summary>
    public MurmurBuilder UseInMemoryLog(InMemoryEventLog? shared = null) => ConfigureNode(node => node.UseInMemoryLog(shared));

    /// <summary>Uses a log created, with services, when the host starts; the node disposes it when <paramref name="ownsLog"/>.</summary>
    public MurmurBuilder UseLog(Func<IServiceProvider, CancellationToken, Task<IEventLog>> factory, bool ownsLog = true)
    {
        ArgumentNullException.ThrowIfNull(factory);
        return ConfigureNode((services, node) => node.UseLog(ct => factory(services, ct), ownsLog));
    }

    /// <summary>Adds a step that configures the node builder, e.g. a transport's <c>UseNats</c> / <c>UseKafka</c>. Steps run in order; the last log chosen wins.</summary>
    public MurmurBuilder ConfigureNode(Action<MurmurNodeBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return ConfigureNode((_, node) => configure(node));
    }

    /// <summary>Adds a step that configures the node builder with services at hand.</summary>
    public MurmurBuilder ConfigureNode(Action<IServiceProvider, MurmurNodeBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        _registrations.NodeSteps.Add(configure);
        return this;
    }

    /// <summary>
    /// Registers an agent spawned at start as a member of <paramref name="topic"/>. Instances are created from the
    /// root service provider with <see cref="ActivatorUtilities"/> (constructor injection; singleton and transient
    /// services only), a new one at every restart.
    /// </summary>
    /// <param name="id">The agent's id.</param>
    /// <param name="topic">The topic it joins; opened at start if not listed in <see cref="MurmurHostOptions.Topics"/>.</param>
    /// <param name="consistency">The topic's mode; <see langword="null"/> takes the configured one, else eventual.</param>
    /// <param name="options">Spawn options (restart type, shutdown timeout, mailbox).</param>
    /// <exception cref="ArgumentException">An agent with <paramref name="id"/> is already registered.</exception>
    public MurmurBuilder AddAgent<TAgent>(AgentId id, string topic, Consistency? consistency = null, SpawnOptions? options = null)
        where TAgent : Agent
    {
        var create = ActivatorUtilities.CreateFactory<TAgent>(Type.EmptyTypes);
        return AddAgent(id, topic, services => create(services, null), consistency, options);
    }

    /// <summary>Registers an agent created by <paramref name="factory"/>; see <see cref="AddAgent{TAgent}"/>.</summary>
    /// <exception cref="ArgumentException">An agent with <paramref name="id"/> is already registered.</exception>
    public MurmurBuilder AddAgent(AgentId id, string topic, Func<IServiceProvider, Agent> factory, Consistency? consistency = null, SpawnOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(topic);
        ArgumentNullException.ThrowIfNull(factory);
        if (_registrations.Agents.Exists(a => a.Id == id))
        {
            throw new ArgumentException($"An agent with id '{id}' is already registered with AddAgent.", nameof(id));
        }
        _registrations.Agents.Add(new AgentRegistration(id, topic, consistency, factory, options));
        return this;
    }

    /// <summary>
    /// Registers <see cref="MurmurApprovals"/>: an approvals desk on the node (started before agents spawn, stopped
    /// after the node), for agents to wait on and for the application to list, approve and deny tool calls.
    /// </summary>
    /// <exception cref="InvalidOperationException">Approvals were registered already.</exception>
    public MurmurBuilder AddApprovals(AI.Approvals.ApprovalOptions? options = null)
    {
        if (Services.Any(d => d.ServiceType == typeof(MurmurApprovals)))
        {
            throw new InvalidOperationException("AddApprovals was called already.");
        }
        options ??= AI.Approvals.ApprovalOptions.Default;
        options.Validate();
        var approvals = new MurmurApprovals(options);
        Services.AddSingleton(approvals);
        _registrations.StartedSteps.Add((_, node, ct) => approvals.StartAsync(node, ct));
        _registrations.StoppingSteps.Add(_ => approvals.StopAsync());
        return this;
    }
}
