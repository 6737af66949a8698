namespace Murmur.Logs;

/// <summary>Argument checks every log applies the same way before touching its transport.</summary>
public static class LogGuard
{
    /// <summary>The default largest record: 1 MiB.</summary>
    public const int DefaultMaxRecordBytes = 1024 * 1024;

    /// <summary>The longest event id accepted by a log.</summary>
    public const int MaxEventIdLength = 256;

    /// <summary>Checks a topic name and a record against <paramref name="maxRecordBytes"/>.</summary>
    public static void CheckAppend(string topic, in LogRecord record, int maxRecordBytes)
    {
        TopicName.Validate(topic);
        CheckRecord(record, maxRecordBytes);
    }

    /// <summary>Checks one record.</summary>
    public static void CheckRecord(in LogRecord record, int maxRecordBytes)
    {
        if (string.IsNullOrEmpty(record.EventId))
        {
            throw new ArgumentException("A record needs a non-empty event id.", nameof(record));
        }
        if (record.EventId.Length > MaxEventIdLength)
        {
            throw new ArgumentException($"An event id must be at most {MaxEventIdLength} characters (got {record.EventId.Length}).", nameof(record));
        }
        if (record.Data.Length > maxRecordBytes)
        {
            throw new RecordTooLargeException(record.EventId, record.Data.Length, maxRecordBytes);
        }
        if (record.Data.IsEmpty)
        {
            throw new ArgumentException($"Event '{record.EventId}' has no data.", nameof(record));
        }
    }

    /// <summary>Checks a batch before any of it is appended: the topic name, then every record.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="records"/> is null.</exception>
    /// <exception cref="InvalidTopicNameException">The topic name breaks the rules of <see cref="TopicName"/>.</exception>
    /// <exception cref="RecordTooLargeException">A record exceeds <paramref name="maxRecordBytes"/>.</exception>
    public static void CheckBatch(string topic, IReadOnlyList<LogRecord> records, int maxRecordBytes)
    {
        ArgumentNullException.ThrowIfNull(records);
        TopicName.Validate(topic);
        foreach (var record in records)
        {
            CheckRecord(record, maxRecordBytes);
        }
    }

    /// <summary>Checks a read's arguments.</summary>
    public static void CheckRead(string topic, long fromPosition)
    {
        TopicName.Validate(topic);
        ArgumentOutOfRangeException.ThrowIfLessThan(fromPosition, 1);
    }
}
