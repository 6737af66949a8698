using System.Text.Json;

namespace Murmur.AI.Tools.Mesh;

/// <summary>A tool another node serves, as its <c>TOOLS_HOSTED</c> announcement describes it.</summary>
/// <param name="Name">The tool's name.</param>
/// <param name="Description">What the tool does, for the model.</param>
/// <param name="Schema">The JSON schema of its arguments.</param>
/// <param name="SideEffecting">True when the tool changes something outside the log.</param>
/// <param name="Node">The node that serves it.</param>
public sealed record HostedTool(string Name, string Description, JsonElement Schema, bool SideEffecting, string Node);
