namespace Murmur.Cli.Commands;

/// <summary>
/// Watches a node's runtime for a long-running command: a runtime whose root supervisor gave up hosts nothing any
/// more, so the command stops with a clear line and a failing exit code instead of running on silently.
/// </summary>
internal static class RuntimeWatch
{
    /// <summary>A token source cancelled when <paramref name="cancellationToken"/> is, or when <paramref name="runtime"/> stops.</summary>
    public static CancellationTokenSource Link(AgentRuntime runtime, CancellationToken cancellationToken)
    {
        var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        _ = runtime.Completion.ContinueWith(
            static (_, state) =>
            {
                try
                {
                    ((CancellationTokenSource)state!).Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The command finished first.
                }
            },
            linked, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return linked;
    }

    /// <summary>The line to print when the runtime stopped without being asked to (<paramref name="stopping"/> false), else null.</summary>
    public static string? DeathLine(AgentRuntime runtime, string nodeId, bool stopping)
    {
        if (stopping || !runtime.Completion.IsCompleted)
        {
            return null;
        }
        var reason = runtime.Completion.Exception?.InnerException?.Message ?? "it stopped";
        return $"the runtime of node {nodeId} died ({reason}); no agent runs here any more, exiting";
    }
}
