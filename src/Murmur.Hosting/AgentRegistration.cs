using Murmur.Agents;
using Murmur.Topics;

namespace Murmur.Hosting;

/// <summary>An agent the hosted service spawns when the host starts.</summary>
/// <param name="Id">The agent's id.</param>
/// <param name="Topic">The topic it joins.</param>
/// <param name="Consistency">The topic's mode; null: as <see cref="MurmurHostOptions.Topics"/> lists it, else eventual.</param>
/// <param name="Factory">Creates an instance (again at every restart).</param>
/// <param name="Options">Spawn options.</param>
internal sealed record AgentRegistration(AgentId Id, string Topic, Consistency? Consistency, Func<IServiceProvider, Agent> Factory, SpawnOptions? Options);
