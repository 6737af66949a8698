using System.Runtime.InteropServices;
using System.Text;
using Confluent.Kafka;

namespace Murmur.KafkaMock;

/// <summary>
/// librdkafka's mock Kafka cluster: brokers that speak the Kafka protocol over TCP on 127.0.0.1, in this process's
/// memory, with fault injection. What it is not: a durability test (one process, replication only simulated), and a
/// complete broker (no CreateTopics, no OffsetsForTimes; ListConsumerGroups crashes it).
/// </summary>
/// <remarks>Not thread-safe for disposal; fault injection may be called from any thread.</remarks>
public sealed unsafe class MockKafkaCluster : IDisposable
{
    private readonly IntPtr _client;
    private IntPtr _cluster;

    private MockKafkaCluster(IntPtr client, IntPtr cluster, int brokers)
    {
        _client = client;
        _cluster = cluster;
        Brokers = brokers;
        Bootstrap = Marshal.PtrToStringUTF8(((delegate* unmanaged<IntPtr, IntPtr>)RdKafka.Export("rd_kafka_mock_cluster_bootstraps"))(cluster))
            ?? throw new InvalidOperationException("the mock cluster has no bootstrap list");
    }

    /// <summary>The brokers' addresses, comma-separated <c>127.0.0.1:PORT</c>.</summary>
    public string Bootstrap { get; }

    /// <summary>How many brokers (ids 1 to <see cref="Brokers"/>).</summary>
    public int Brokers { get; }

    /// <summary>The librdkafka file the cluster runs in (the one Confluent.Kafka loaded).</summary>
    public static string LibraryPath => RdKafka.LoadedPath();

    /// <summary>Starts a cluster of <paramref name="brokers"/> brokers on ephemeral loopback ports.</summary>
    public static MockKafkaCluster Start(int brokers = 3)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(brokers, 1);
        var conf = ((delegate* unmanaged<IntPtr>)RdKafka.Export("rd_kafka_conf_new"))();
        // The owning client only keeps the books: it must not log the mock brokers' chatter to stderr.
        Set(conf, "log_level", "0");
        Set(conf, "client.id", "murmur-kafka-mock");
        var error = stackalloc byte[512];
        var client = ((delegate* unmanaged<int, IntPtr, byte*, nuint, IntPtr>)RdKafka.Export("rd_kafka_new"))(0, conf, error, 512);
        if (client == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Marshal.PtrToStringUTF8((IntPtr)error));
        }
        var cluster = ((delegate* unmanaged<IntPtr, int, IntPtr>)RdKafka.Export("rd_kafka_mock_cluster_new"))(client, brokers);
        if (cluster == IntPtr.Zero)
        {
            ((delegate* unmanaged<IntPtr, void>)RdKafka.Export("rd_kafka_destroy"))(client);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed");
        }
        return new MockKafkaCluster(client, cluster, brokers);
    }

    /// <summary>Creates a topic (the mock serves no CreateTopics request).</summary>
    public void CreateTopic(string name, int partitions, int replicationFactor = 3)
    {
        fixed (byte* topic = Utf8(name))
        {
            Check(((delegate* unmanaged<IntPtr, byte*, int, int, int>)RdKafka.Export("rd_kafka_mock_topic_create"))(Cluster, topic, partitions, replicationFactor),
                $"creating topic {name}");
        }
    }

    /// <summary>The next <paramref name="errors"/>.Length requests of <paramref name="api"/> fail with these errors, in order.</summary>
    public void PushRequestErrors(KafkaApi api, params ErrorCode[] errors)
    {
        var codes = errors.Select(e => (int)e).ToArray();
        fixed (int* array = codes)
        {
            ((delegate* unmanaged<IntPtr, short, nuint, int*, void>)RdKafka.Export("rd_kafka_mock_push_request_errors_array"))(Cluster, (short)api, (nuint)codes.Length, array);
        }
    }

    /// <summary>Forgets the errors still pushed for <paramref name="api"/>.</summary>
    public void ClearRequestErrors(KafkaApi api)
        => ((delegate* unmanaged<IntPtr, short, void>)RdKafka.Export("rd_kafka_mock_clear_request_errors"))(Cluster, (short)api);

    /// <summary>Disconnects broker <paramref name="broker"/> (-1: all) and refuses new connections; leaders do not move.</summary>
    public void SetBrokerDown(int broker)
        => Check(((delegate* unmanaged<IntPtr, int, int>)RdKafka.Export("rd_kafka_mock_broker_set_down"))(Cluster, broker), $"setting broker {broker} down");

    /// <summary>Lets broker <paramref name="broker"/> (-1: all) accept connections again.</summary>
    public void SetBrokerUp(int broker)
        => Check(((delegate* unmanaged<IntPtr, int, int>)RdKafka.Export("rd_kafka_mock_broker_set_up"))(Cluster, broker), $"setting broker {broker} up");

    /// <summary>Delays every answer of broker <paramref name="broker"/> (-1: all) by <paramref name="rtt"/>.</summary>
    public void SetRoundTrip(int broker, TimeSpan rtt)
        => Check(((delegate* unmanaged<IntPtr, int, int, int>)RdKafka.Export("rd_kafka_mock_broker_set_rtt"))(Cluster, broker, (int)rtt.TotalMilliseconds),
            $"setting broker {broker}'s round trip");

    /// <summary>Makes <paramref name="broker"/> the leader of a partition (-1: no leader).</summary>
    public void SetPartitionLeader(string topic, int partition, int broker)
    {
        fixed (byte* name = Utf8(topic))
        {
            Check(((delegate* unmanaged<IntPtr, byte*, int, int, int>)RdKafka.Export("rd_kafka_mock_partition_set_leader"))(Cluster, name, partition, broker),
                $"moving the leader of {topic}[{partition}] to broker {broker}");
        }
    }

    /// <summary>Stops every broker and frees the cluster.</summary>
    public void Dispose()
    {
        var cluster = Interlocked.Exchange(ref _cluster, IntPtr.Zero);
        if (cluster == IntPtr.Zero)
        {
            return;
        }
        ((delegate* unmanaged<IntPtr, void>)RdKafka.Export("rd_kafka_mock_cluster_destroy"))(cluster);
        ((delegate* unmanaged<IntPtr, void>)RdKafka.Export("rd_kafka_destroy"))(_client);
    }

    private IntPtr Cluster => _cluster != IntPtr.Zero ? _cluster : throw new ObjectDisposedException(nameof(MockKafkaCluster));

    private static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text + "\0");

    private static void Set(IntPtr conf, string name, string value)
    {
        var error = stackalloc byte[512];
        fixed (byte* n = Utf8(name), v = Utf8(value))
        {
            if (((delegate* unmanaged<IntPtr, byte*, byte*, byte*, nuint, int>)RdKafka.Export("rd_kafka_conf_set"))(conf, n, v, error, 512) != 0)
            {
                throw new InvalidOperationException($"rd_kafka_conf_set {name}: " + Marshal.PtrToStringUTF8((IntPtr)error));
            }
        }
    }

    private static void Check(int error, string what)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"Kafka mock: {what} failed: {(ErrorCode)error}");
        }
    }
}
