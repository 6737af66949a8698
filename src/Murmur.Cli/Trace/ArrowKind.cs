namespace Murmur.Cli.Trace;

/// <summary>What an arrow of the diagram stands for.</summary>
internal enum ArrowKind
{
    /// <summary>The event follows the actor's previous event (a segment along its lane).</summary>
    Lane,

    /// <summary>The event directly depends on the latest event of another actor it had seen.</summary>
    Causal,

    /// <summary>The event names another one in <c>depends_on</c> (speculation); drawn dashed.</summary>
    DependsOn,
}
