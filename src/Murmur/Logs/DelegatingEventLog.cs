namespace Murmur.Logs;

/// <summary>
/// A log that hands every call to an inner log: the base of decorators (fault injection, gating, metrics) that
/// override only what they change, as <c>DelegatingChatClient</c> does for chat clients.
/// </summary>
/// <remarks>
/// Every member of <see cref="IEventLog"/> is forwarded, <see cref="OpenFirehoseAsync"/> included (a decorator that
/// changes what readers see must override it too, or return <see langword="null"/> so nodes read topic by topic).
/// Disposing the decorator disposes the inner log. Thread-safe when the inner log is.
/// </remarks>
public abstract class DelegatingEventLog : IEventLog
{
    /// <summary>Wraps <paramref name="innerLog"/>.</summary>
    protected DelegatingEventLog(IEventLog innerLog)
    {
        ArgumentNullException.ThrowIfNull(innerLog);
        InnerLog = innerLog;
    }

    /// <summary>The log every call is handed to.</summary>
    protected IEventLog InnerLog { get; }

    /// <inheritdoc/>
    public virtual string Name => InnerLog.Name;

    /// <inheritdoc/>
    public virtual int MaxRecordBytes => InnerLog.MaxRecordBytes;

    /// <inheritdoc/>
    public virtual ValueTask<long> AppendAsync(string topic, LogRecord record, CancellationToken cancellationToken = default)
        => InnerLog.AppendAsync(topic, record, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<IReadOnlyList<long>> AppendBatchAsync(string topic, IReadOnlyList<LogRecord> records, CancellationToken cancellationToken = default)
        => InnerLog.AppendBatchAsync(topic, records, cancellationToken);

    /// <inheritdoc/>
    public virtual IAsyncEnumerable<LogEntry> ReadAsync(string topic, long fromPosition = 1, bool follow = false, CancellationToken cancellationToken = default)
        => InnerLog.ReadAsync(topic, fromPosition, follow, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<long> GetEndPositionAsync(string topic, CancellationToken cancellationToken = default)
        => InnerLog.GetEndPositionAsync(topic, cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<ILogFirehose?> OpenFirehoseAsync(CancellationToken cancellationToken = default)
        => InnerLog.OpenFirehoseAsync(cancellationToken);

    /// <inheritdoc/>
    public virtual ValueTask<Fleet.IMembershipStore?> OpenMembershipStoreAsync(CancellationToken cancellationToken = default)
        => InnerLog.OpenMembershipStoreAsync(cancellationToken);

    /// <inheritdoc/>
    public virtual async ValueTask DisposeAsync()
    {
        await InnerLog.DisposeAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }
}
