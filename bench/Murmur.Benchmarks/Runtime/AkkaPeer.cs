using Akka.Actor;
using Akka.Configuration;

namespace Murmur.Benchmarks.Runtime;

/// <summary>Akka.NET set up as its documentation recommends by default: default dispatcher, quiet logging.</summary>
internal static class AkkaPeer
{
    private static readonly Config Quiet = ConfigurationFactory.ParseString("""
        akka.loglevel = ERROR
        akka.stdout-loglevel = OFF
        akka.log-dead-letters = off
        akka.log-dead-letters-during-shutdown = off
        akka.log-config-on-start = off
        """);

    public static ActorSystem Create(string name) => ActorSystem.Create(name, Quiet);

    /// <summary>Props that create actors with a plain delegate (no expression compilation), like the other systems' factories.</summary>
    public static Props PropsOf<TActor>(Func<TActor> factory)
        where TActor : ActorBase
        => Props.CreateBy(new DelegateProducer<TActor>(factory));

    public static async Task ShutdownAsync(ActorSystem system)
    {
        await system.Terminate().ConfigureAwait(false);
        await system.WhenTerminated.ConfigureAwait(false);
        system.Dispose();
    }

    private sealed class DelegateProducer<TActor>(Func<TActor> factory) : IIndirectActorProducer
        where TActor : ActorBase
    {
        public Type ActorType => typeof(TActor);

        public ActorBase Produce() => factory();

        public void Release(ActorBase actor)
        {
        }
    }
}
