using System.Reflection;
using System.Runtime.Loader;

namespace Murmur.Cli;

/// <summary>
/// Loads the assemblies shipped next to <c>murmur.dll</c> (the commands, Murmur.dll and their packages); framework
/// assemblies still come from the default context.
/// </summary>
internal sealed class CommandsLoadContext(string directory) : AssemblyLoadContext("murmur-commands")
{
    protected override Assembly? Load(AssemblyName assemblyName)
    {
        if (assemblyName.Name is null || string.Equals(assemblyName.Name, "murmur", StringComparison.Ordinal))
        {
            return null;
        }
        var path = Path.Combine(directory, assemblyName.Name + ".dll");
        return File.Exists(path) ? LoadFromAssemblyPath(path) : null;
    }
}
