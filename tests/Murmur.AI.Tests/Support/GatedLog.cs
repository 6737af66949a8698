using System.Text;
using Murmur.Logs;

namespace Murmur.AI.Tests.Support;

/// <summary>
/// An in-memory log that holds appends of records containing a chosen marker (e.g. <c>"TOOL_CALL"</c>) until the
/// test opens the gate, and tells the test when such an append has arrived.
/// </summary>
internal sealed class GatedLog(InMemoryEventLog inner, string marker) : DelegatingEventLog(inner)
{
    private readonly byte[] _marker = Encoding.UTF8.GetBytes(marker);
    private readonly TaskCompletionSource _open = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the first gated append arrives.</summary>
    public TaskCompletionSource Held { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public override string Name => "gated";

    /// <summary>Lets every held and later append through.</summary>
    public void Open() => _open.TrySetResult();

    public override async ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
    {
        if (record.Data.Span.IndexOf(_marker) >= 0)
        {
            Held.TrySetResult();
            await _open.Task.WaitAsync(cancellationToken);
        }
        return await InnerLog.AppendAsync(topic, record, cancellationToken);
    }
}
