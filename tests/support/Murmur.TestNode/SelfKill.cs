using System.Diagnostics;

/// <summary>How the test nodes die at their crash points.</summary>
internal static class SelfKill
{
    /// <summary>Dies as a crash would: SIGKILL, no finally blocks, no flushing, no goodbye in the log.</summary>
    public static void Now()
    {
        Console.Out.Flush();
        Process.GetCurrentProcess().Kill();
        Thread.Sleep(Timeout.Infinite); // the signal is on its way; never return into the node
    }
}
