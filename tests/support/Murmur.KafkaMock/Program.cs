using System.Globalization;
using System.Runtime.InteropServices;
using Murmur.KafkaMock;

// Holds a librdkafka mock Kafka cluster for the test suite until it is stopped (SIGTERM or SIGINT):
//   Murmur.KafkaMock [--brokers 3] [--topic NAME:PARTITIONS]... [--ready-file PATH]
// Prints the bootstrap list on stdout and, once every topic exists, writes it to the ready file.
var brokers = 3;
var topics = new List<(string Name, int Partitions)>();
string? readyFile = null;
for (var i = 0; i < args.Length; i++)
{
    string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "--brokers":
            brokers = int.Parse(Value(), CultureInfo.InvariantCulture);
            break;
        case "--topic":
            var spec = Value().Split(':');
            topics.Add((spec[0], spec.Length > 1 ? int.Parse(spec[1], CultureInfo.InvariantCulture) : 1));
            break;
        case "--ready-file":
            readyFile = Value();
            break;
        default:
            Console.Error.WriteLine($"murmur-kafka-mock: unknown argument '{args[i]}' (use --brokers N, --topic NAME:PARTITIONS, --ready-file PATH)");
            return 2;
    }
}

using var cluster = MockKafkaCluster.Start(brokers);
foreach (var (name, partitions) in topics)
{
    cluster.CreateTopic(name, partitions, Math.Min(3, brokers));
}
using var stop = new CancellationTokenSource();
using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.Cancel(); });
using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.Cancel(); });
Console.WriteLine(cluster.Bootstrap);
Console.Error.WriteLine($"murmur-kafka-mock: {brokers} brokers at {cluster.Bootstrap} ({Path.GetFileName(MockKafkaCluster.LibraryPath)}), topics: {string.Join(", ", topics.Select(t => $"{t.Name}:{t.Partitions}"))}");
if (readyFile is not null)
{
    File.WriteAllText(readyFile + ".tmp", cluster.Bootstrap + "\n");
    File.Move(readyFile + ".tmp", readyFile, overwrite: true);
}
try
{
    await Task.Delay(Timeout.Infinite, stop.Token);
}
catch (OperationCanceledException)
{
}
return 0;
