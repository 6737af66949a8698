using System.Text;
using System.Text.Json;
using Murmur.Cli.Commands;
using Murmur.Logs;

namespace Murmur.Cli.Tests.Protocol;

/// <summary>
/// Every file of the conformance corpus (docs/protocol/corpus) gives the expected outcome through <c>murmur causal</c>
/// and through a node reading the same records from its log: the two agree, and match the file.
/// </summary>
public sealed class ConformanceCorpusTests
{
    public static TheoryData<string> Cases() => [.. ProtocolFiles.CorpusFiles().Select(Path.GetFileNameWithoutExtension).OfType<string>()];

    private sealed record Expected(List<string> Delivered, List<string> Duplicates, List<Refusal> Rejected, List<Refusal> Undeliverable);

    private sealed record Refusal(string? EventId, string ReasonContains);

    private static Expected Load(string name)
    {
        var root = JsonDocument.Parse(File.ReadAllText(Path.Combine(ProtocolFiles.Directory, "corpus", name + ".expected.json"))).RootElement;
        static List<Refusal> Refusals(JsonElement array) => [.. array.EnumerateArray().Select(r => new Refusal(r.GetProperty("event_id").GetString(), r.GetProperty("reason_contains").GetString()!))];
        return new Expected(
            [.. root.GetProperty("delivered").EnumerateArray().Select(e => e.GetString()!)],
            [.. root.GetProperty("duplicates").EnumerateArray().Select(e => e.GetString()!)],
            Refusals(root.GetProperty("rejected")),
            Refusals(root.GetProperty("undeliverable")));
    }

    private static string Events(string name) => Path.Combine(ProtocolFiles.Directory, "corpus", name + ".jsonl");

    [Theory]
    [MemberData(nameof(Cases))]
    public void CausalCommand_GivesTheExpectedOutcome(string name)
    {
        var expected = Load(name);
        var stdout = new StringWriter();
        var code = CommandLine.Run(["causal", Events(name)], stdout, new StringWriter());
        var report = JsonDocument.Parse(stdout.ToString()).RootElement;

        Assert.Equal(expected.Delivered, report.GetProperty("delivered").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(expected.Duplicates, report.GetProperty("duplicates").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(expected.Rejected.Count + expected.Undeliverable.Count == 0 ? 0 : 1, code);
        var detail = CausalCommand.Deliver(File.ReadAllBytes(Events(name)), null);
        Assert.Equal(expected.Rejected.Count, detail.Rejected.Count);
        foreach (var (want, got) in expected.Rejected.Zip(detail.Rejected))
        {
            Assert.Equal(want.EventId, got.EventId);
            Assert.Contains(want.ReasonContains, got.Reason, StringComparison.Ordinal);
        }
        Assert.Equal(expected.Undeliverable.Count, detail.Undeliverable.Count);
        foreach (var (want, got) in expected.Undeliverable.Zip(detail.Undeliverable))
        {
            Assert.Equal(want.EventId, got.EventId);
            Assert.Contains(want.ReasonContains, got.Reason, StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task ANodeReadingTheRecordsFromItsLog_AgreesWithTheFile(string name)
    {
        var expected = Load(name);
        var log = new InMemoryEventLog();
        var topic = "corpus-" + name;
        var line = 0;
        foreach (var text in File.ReadAllLines(Events(name)).Where(l => l.Trim().Length > 0))
        {
            // A transport id per line (the log's own de-duplication would hide repeats the corpus is about).
            await log.AppendAsync(topic, new LogRecord($"line-{++line}", Encoding.UTF8.GetBytes(text)));
        }
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog(log));
        var followed = await node.OpenTopicAsync(topic);
        await followed.CatchUpAsync().WaitAsync(TimeSpan.FromSeconds(30));
        followed.GiveUpWaitingEvents();

        Assert.Equal(expected.Delivered, followed.History.Select(e => e.EventId));
        var dead = node.DeadLetters.Items;
        var refusals = expected.Rejected.Concat(expected.Undeliverable).ToList();
        Assert.Equal(refusals.Count, dead.Count);
        foreach (var want in refusals)
        {
            // A record whose bytes name no id is listed under the transport's id for it.
            Assert.Contains(dead, d => (want.EventId is null ? d.EventId!.StartsWith("line-", StringComparison.Ordinal) : d.EventId == want.EventId)
                && d.Reason.Contains(want.ReasonContains, StringComparison.Ordinal));
        }
    }
}
