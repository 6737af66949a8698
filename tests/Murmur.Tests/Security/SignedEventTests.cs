using System.Text;
using Murmur.Causality;
using Murmur.Events;
using Murmur.Logs;
using Murmur.Security;
using Murmur.Tests.Topics;

namespace Murmur.Tests.Security;

public sealed class SignedEventTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static Dictionary<string, byte[]> Keys(params string[] nodes)
    {
        var random = new Random(42);
        return nodes.ToDictionary(n => n, n =>
        {
            var key = new byte[32];
            random.NextBytes(key);
            return key;
        }, StringComparer.Ordinal);
    }

    private static EventSigning Signing(string node, Dictionary<string, byte[]> keys, params string[] trusted) => new()
    {
        KeyId = node,
        Key = keys[node],
        TrustedKeys = trusted.ToDictionary(t => t, t => (ReadOnlyMemory<byte>)keys[t], StringComparer.Ordinal),
    };

    private static Task<MurmurNode> NodeAsync(InMemoryEventLog log, string name, EventSigning? signing) => MurmurNode.StartAsync(o =>
    {
        o.UseInMemoryLog(log);
        o.Options = o.Options with { NodeId = name, Signing = signing };
    });

    [Fact]
    public async Task ASigningNode_RefusesUnsignedTamperedForgedSpoofedAndReplayedEvents_AsDeadLettersWithReasons()
    {
        var keys = Keys("n1", "n2", "evil");
        var log = new InMemoryEventLog();
        await using var node = await NodeAsync(log, "n1", Signing("n1", keys, "n2"));
        var topic = await node.OpenTopicAsync("secure");
        var a = await node.SpawnAsync("A", () => new Crashy(new Seen()), topic);
        var real = await node.Runtime.AskAsync<AgentEvent>(a, "real");
        Assert.StartsWith("n1:", real.Signature, StringComparison.Ordinal);
        var next = VectorClock.FromEntries(3);

        async Task Append(string id, AgentEvent e) => await log.AppendAsync("secure", new LogRecord(id, AgentEventCodec.Encode(e)));
        AgentEvent Event(string id, string payload = "{\"n\":1}") => new(id, "A", "note", Encoding.UTF8.GetBytes(payload), next) { Topic = "secure" };

        await Append("unsigned", Event("unsigned"));
        await Append("tampered", HmacEventSigner.WithSignature(Event("tampered", "{\"n\":666}"), new HmacEventSigner(Signing("n1", keys)).Sign(Event("tampered")).Signature));
        await Append("forged", new HmacEventSigner(Signing("evil", keys)).Sign(Event("forged")));
        await Append("spoofed", new HmacEventSigner(Signing("n2", keys)).Sign(Event("spoofed")));
        await Append("replay-new-id", HmacEventSigner.WithSignature(Event("replay-new-id"), real.Signature));
        await log.AppendAsync("secure", new LogRecord("replay-same-id", AgentEventCodec.Encode(real))); // exact replay: a duplicate
        await topic.CatchUpAsync().WaitAsync(Patience);

        var reasons = node.DeadLetters.Items.ToDictionary(d => d.EventId!, d => d.Reason, StringComparer.Ordinal);
        Assert.Contains("unsigned", reasons["unsigned"], StringComparison.Ordinal);
        Assert.Contains("does not match", reasons["tampered"], StringComparison.Ordinal);
        Assert.Contains("'evil' is not trusted", reasons["forged"], StringComparison.Ordinal);
        Assert.Contains("owned by node 'n1' but the event is signed by node 'n2' (spoofing)", reasons["spoofed"], StringComparison.Ordinal);
        Assert.Contains("does not match", reasons["replay-new-id"], StringComparison.Ordinal);
        Assert.Equal(5, node.DeadLetters.Count);
        Assert.Equal(2, topic.Buffer.Duplicates); // the read-back of the fast-path delivery, and the exact replay
        Assert.Equal(["JOIN", "real"], topic.History.Select(e => e.Action));
        var after = await node.Runtime.AskAsync<AgentEvent>(a, "after");
        await topic.WaitForEventAsync(e => e.EventId == after.EventId).WaitAsync(Patience);
    }

    [Fact]
    public async Task AJoinForAnActorOwnedByAnotherNode_OrNamingAnotherNode_IsRefused()
    {
        var keys = Keys("n1", "n2");
        var log = new InMemoryEventLog();
        await using var node = await NodeAsync(log, "n1", Signing("n1", keys, "n2"));
        var topic = await node.OpenTopicAsync("secure");
        await node.SpawnAsync("A", () => new Crashy(new Seen()), topic);
        var n2 = new HmacEventSigner(Signing("n2", keys));
        AgentEvent Join(string id, string actor, string named) => n2.Sign(new AgentEvent(id, actor, "JOIN", Encoding.UTF8.GetBytes($"{{\"node\":\"{named}\",\"consistency\":\"eventual\"}}"), VectorClock.Empty) { Topic = "secure" });
        await log.AppendAsync("secure", new LogRecord("j1", AgentEventCodec.Encode(Join("j1", "A", "n2"))));
        await log.AppendAsync("secure", new LogRecord("j2", AgentEventCodec.Encode(Join("j2", "B", "n1"))));
        await topic.CatchUpAsync().WaitAsync(Patience);
        var reasons = node.DeadLetters.Items.ToDictionary(d => d.EventId!, d => d.Reason, StringComparer.Ordinal);
        Assert.Contains("'A' is owned by node 'n1'", reasons["j1"], StringComparison.Ordinal);
        Assert.Contains("names node 'n1' but is signed by node 'n2'", reasons["j2"], StringComparison.Ordinal);
        Assert.Equal(["A"], topic.Roster.Members);
    }

    [Fact]
    public async Task TwoNodesWithEachOthersKeys_GossipFine_AndEveryEventIsSigned()
    {
        var keys = Keys("n1", "n2");
        var log = new InMemoryEventLog();
        var seen = new Seen();
        await using var n1 = await NodeAsync(log, "n1", Signing("n1", keys, "n2"));
        await using var n2 = await NodeAsync(log, "n2", Signing("n2", keys, "n1"));
        var t1 = await n1.OpenTopicAsync("mesh");
        var t2 = await n2.OpenTopicAsync("mesh");
        var a = await n1.SpawnAsync("A", () => new Echo(seen, limit: 10, partner: "B"), t1);
        await n2.SpawnAsync("B", () => new Echo(seen, limit: 10, partner: "A"), t2);
        await n1.Runtime.AskAsync<AgentEvent>(a, "ping");
        await t1.WaitForDeliveredAsync(2 + 11).WaitAsync(Patience);
        await t2.WaitForDeliveredAsync(2 + 11).WaitAsync(Patience);
        Assert.Equal(0, n1.DeadLetters.Count + n2.DeadLetters.Count);
        Assert.All(t2.History, e => Assert.StartsWith(e.Actor == "A" ? "n1:" : "n2:", e.Signature, StringComparison.Ordinal));
        TopicTests.AssertCausal(t1.History);
    }

    [Fact]
    public void Keys_LoadFromADirectory_AndBadSettingsAreRefused()
    {
        var keys = Keys("n1", "n2");
        var dir = Directory.CreateTempSubdirectory("murmur-keys").FullName;
        try
        {
            foreach (var (id, key) in keys)
            {
                File.WriteAllText(Path.Combine(dir, id + ".key"), Convert.ToBase64String(key) + "\n");
            }
            var signing = EventSigning.FromKeyDirectory("n1", dir);
            Assert.Equal(keys["n1"], signing.Key.ToArray());
            Assert.Equal(["n2"], signing.TrustedKeys.Keys);
            Assert.Throws<FileNotFoundException>(() => EventSigning.FromKeyDirectory("n3", dir));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
        var options = new MurmurNodeOptions { NodeId = "n2", Signing = Signing("n1", keys) };
        Assert.Contains("must name this node", Assert.Throws<ArgumentException>(options.Validate).Message, StringComparison.Ordinal);
        var weak = new MurmurNodeOptions { NodeId = "n1", Signing = Signing("n1", keys) with { Key = new byte[8] } };
        Assert.Contains("at least 32", Assert.Throws<ArgumentException>(weak.Validate).Message, StringComparison.Ordinal);
    }

    private static (string PrivatePem, string PublicPem) EcdsaPair()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        return (key.ExportPkcs8PrivateKeyPem(), key.ExportSubjectPublicKeyInfoPem());
    }

    [Fact]
    public async Task Ecdsa_TwoNodesGossip_AndANodeHoldingEveryPublicKeyStillCannotSignAsAnother()
    {
        var n1 = EcdsaPair();
        var n2 = EcdsaPair();
        var log = new InMemoryEventLog();
        var s1 = EventSigning.FromEcdsaPem("n1", n1.PrivatePem, [new("n2", n2.PublicPem)]);
        var s2 = EventSigning.FromEcdsaPem("n2", n2.PrivatePem, [new("n1", n1.PublicPem)]);
        await using var node1 = await NodeAsync(log, "n1", s1);
        await using var node2 = await NodeAsync(log, "n2", s2);
        var t1 = await node1.OpenTopicAsync("ecdsa");
        var t2 = await node2.OpenTopicAsync("ecdsa");
        var a = await node1.SpawnAsync("A", () => new Crashy(new Seen()), t1);
        var real = await node1.Runtime.AskAsync<AgentEvent>(a, "real");
        await t2.WaitForEventAsync(e => e.EventId == real.EventId).WaitAsync(Patience);
        Assert.StartsWith("n1:", real.Signature, StringComparison.Ordinal);
        Assert.Equal(64, Convert.FromBase64String(real.Signature![3..]).Length);

        // n2 holds n1's public key, but signing "as n1" with its own private key does not verify on n1.
        var forged = HmacEventSigner.WithSignature(
            new AgentEvent("forged", "A", "note", "{}"u8.ToArray(), VectorClock.FromEntries(3)) { Topic = "ecdsa" },
            "n1:" + new EcdsaEventSigner(s2).Sign(new AgentEvent("forged", "A", "note", "{}"u8.ToArray(), VectorClock.FromEntries(3)) { Topic = "ecdsa" }).Signature![3..]);
        var tampered = HmacEventSigner.WithSignature(new AgentEvent("tampered", "A", "note", "{\"n\":666}"u8.ToArray(), VectorClock.FromEntries(3)) { Topic = "ecdsa" }, real.Signature);
        await log.AppendAsync("ecdsa", new LogRecord("forged", AgentEventCodec.Encode(forged)));
        await log.AppendAsync("ecdsa", new LogRecord("tampered", AgentEventCodec.Encode(tampered)));
        await t1.CatchUpAsync().WaitAsync(Patience);

        var reasons = node1.DeadLetters.Items.ToDictionary(d => d.EventId!, d => d.Reason, StringComparer.Ordinal);
        Assert.Contains("ECDSA signature does not match the event's content under key 'n1'", reasons["forged"], StringComparison.Ordinal);
        Assert.Contains("ECDSA signature does not match", reasons["tampered"], StringComparison.Ordinal);
    }

    [Fact]
    public void Ecdsa_KeysLoadFromADirectory_AndBadKeysAreRefusedNamingTheKey()
    {
        var dir = Directory.CreateTempSubdirectory("murmur-ecdsa-").FullName;
        try
        {
            var n1 = EcdsaPair();
            var n2 = EcdsaPair();
            File.WriteAllText(Path.Combine(dir, "n1.pem"), n1.PrivatePem);
            File.WriteAllText(Path.Combine(dir, "n1.pub.pem"), n1.PublicPem);
            File.WriteAllText(Path.Combine(dir, "n2.pub.pem"), n2.PublicPem);

            var signing = EventSigning.FromEcdsaKeyDirectory("n1", dir);

            Assert.Equal(SigningAlgorithm.EcdsaP256Sha256, signing.Algorithm);
            Assert.Equal(["n2"], signing.TrustedKeys.Keys);
            Assert.Throws<FileNotFoundException>(() => EventSigning.FromEcdsaKeyDirectory("n3", dir));
            var bad = Assert.Throws<ArgumentException>(() => EventSigning.FromEcdsaPem("n1", n1.PrivatePem, [new("n2", "-----BEGIN PUBLIC KEY-----\nnot a key\n-----END PUBLIC KEY-----")]));
            Assert.Contains("The ECDSA key 'n2' cannot be read", bad.Message, StringComparison.Ordinal);
            using var p384 = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP384);
            var big = Assert.Throws<ArgumentException>(() => EventSigning.FromEcdsaPem("n1", p384.ExportPkcs8PrivateKeyPem()));
            Assert.Contains("384-bit; P-256 is required", big.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
