using System.Reflection;
using System.Runtime.ExceptionServices;
using Murmur.Cli;

// murmur.dll must not touch a type of Murmur.dll: .NET compares assembly names case-insensitively, so in one load
// context "Murmur" would resolve to this very assembly. The commands therefore run in their own load context, from
// the commands/ folder (see Murmur.Cli.csproj).
var context = new CommandsLoadContext(Path.Combine(AppContext.BaseDirectory, "commands"));
var commands = context.LoadFromAssemblyName(new AssemblyName("Murmur.Cli.Commands"));
var main = commands.GetType("Murmur.Cli.CommandLine", throwOnError: true)!
    .GetMethod("Main", BindingFlags.Public | BindingFlags.Static)!;
try
{
    return (int)main.Invoke(null, [args])!;
}
catch (TargetInvocationException ex) when (ex.InnerException is not null)
{
    ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
    throw;
}
