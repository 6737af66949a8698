namespace Murmur.Cli.Mesh;

/// <summary>What a mesh node hosts: the roles it joins new tasks as, the roles it takes over from dead nodes, the demo agents' think time.</summary>
/// <param name="Roles">Roles it joins every new task as (<c>--agents</c>).</param>
/// <param name="TakeOver">Roles it runs when it takes an agent over or rejoins (<c>--agents</c> and <c>--takeover</c>).</param>
/// <param name="Think">The demo agents' modelled think time per step.</param>
internal sealed record MeshSettings(IReadOnlyList<string> Roles, IReadOnlyList<string> TakeOver, TimeSpan Think);
