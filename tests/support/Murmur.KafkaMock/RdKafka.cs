using System.Runtime.InteropServices;

namespace Murmur.KafkaMock;

/// <summary>
/// The few librdkafka functions the mock cluster needs, bound to the very librdkafka that Confluent.Kafka loaded
/// (on some machines its default build cannot load and it falls back to another one): the mock's handles only make
/// sense inside that library.
/// </summary>
internal static class RdKafka
{
    private static readonly Lazy<IntPtr> Library = new(LoadLibrary);

    public static IntPtr Export(string name) => NativeLibrary.GetExport(Library.Value, name);

    /// <summary>The path of the librdkafka Confluent.Kafka loaded, from the process's memory map.</summary>
    public static string LoadedPath()
    {
        _ = Library.Value;
        return _path!;
    }

    private static string? _path;

    private static IntPtr LoadLibrary()
    {
        // Confluent.Kafka picks its build when it first loads; make it do so now, then find which file that was.
        Confluent.Kafka.Library.Load();
        if (!OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException("The Kafka mock cluster binds to librdkafka through /proc/self/maps (Linux only).");
        }
        var path = File.ReadLines("/proc/self/maps")
            .Select(line => line.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(parts => parts.Length >= 6 && Path.GetFileName(parts[^1]).Contains("librdkafka", StringComparison.Ordinal))
            .Select(parts => parts[^1])
            .FirstOrDefault()
            ?? throw new InvalidOperationException("Confluent.Kafka reports librdkafka loaded, but no librdkafka is mapped into this process.");
        _path = path;
        return NativeLibrary.Load(path);
    }
}
