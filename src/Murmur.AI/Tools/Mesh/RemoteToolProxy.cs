using System.Text.Json;
using Microsoft.Extensions.AI;

namespace Murmur.AI.Tools.Mesh;

/// <summary>A tool served by another node, as a model sees it: its name, description and schema; invoking it calls it through the mesh.</summary>
internal sealed class RemoteToolProxy(ToolMesh mesh, HostedTool hosted) : AIFunction
{
    public HostedTool Hosted { get; } = hosted;

    public override string Name => Hosted.Name;

    public override string Description => Hosted.Description;

    public override JsonElement JsonSchema => Hosted.Schema;

    public override IReadOnlyDictionary<string, object?> AdditionalProperties { get; } =
        hosted.SideEffecting ? new Dictionary<string, object?> { [ToolRegistry.SideEffectingKey] = true } : new Dictionary<string, object?>();

    protected override async ValueTask<object?> InvokeCoreAsync(AIFunctionArguments arguments, CancellationToken cancellationToken)
    {
        var reply = await mesh.CallAsync(Hosted.Node, Name, arguments, "call_" + Guid.NewGuid().ToString("N"), ToolMesh.MeshActorOf(mesh.NodeId), null, cancellationToken).ConfigureAwait(false);
        return reply.Ok ? reply.Result : throw new InvalidOperationException(reply.Error);
    }
}
