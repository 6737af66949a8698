using Murmur.Cli.Mesh;
using Murmur.Configuration;

namespace Murmur.Cli.Tests;

/// <summary>The log and security options: one definition on every command that opens the log, layered over --config and the environment.</summary>
public sealed class MeshOptionsTests : IDisposable
{
    private readonly CliRun _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Each command that opens the log, with its own required arguments.</summary>
    public static TheoryData<string[]> LogCommands => new()
    {
        new[] { "node", "--agents", "coder", "--root", "." },
        new[] { "task", "start", "a goal" },
        new[] { "log", "tail", "--topic", "t" },
        new[] { "log", "dead-letters", "--topic", "t" },
        new[] { "tool", "call", "grep_search" },
    };

    [Theory]
    [MemberData(nameof(LogCommands))]
    public void EveryLogCommand_ReadsTheSharedOptions_AndNamesTheOptionAtFault(string[] command)
    {
        var missing = Path.Combine(_cli.Directory("keys"), "n1.pem");

        var (exit, _, stderr) = CliRun.Run([.. command, "--log", "nats://127.0.0.1:4222", "--sign-key", missing]);

        Assert.Equal(2, exit);
        Assert.Contains($"Murmur:Signing:KeyFile: the file '{missing}' does not exist. (option --sign-key)", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LogCommands))]
    public void EveryLogCommand_DocumentsTheSharedOptions(string[] command)
    {
        string[] path = command[0] is "task" or "tool" ? command[..2] : command[..1];
        var (exit, stdout, _) = CliRun.Run([.. path, "--help"]);
        Assert.Equal(0, exit);
        Assert.Contains("  --sign-key <FILE>", stdout, StringComparison.Ordinal);
        Assert.Contains("  --log <URL>", stdout, StringComparison.Ordinal);
        Assert.Contains(command[0] == "tool" ? "'call' takes the log and security options" : MeshOptions.Help, command[0] == "tool" ? CliRun.Run("tool", "--help").Stdout : stdout, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(LogCommands))]
    public void EveryLogCommand_WithoutALog_SaysTheThreeWaysToGiveOne(string[] command)
    {
        var (exit, _, stderr) = CliRun.Run(command);
        Assert.Equal(2, exit);
        Assert.Contains("no log given: use --log URL, Murmur:Log:Url in --config FILE, or MURMUR__LOG__URL", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCommandLine_OverridesTheEnvironment_WhichOverridesTheConfigFile()
    {
        var keys = _cli.Directory("keys");
        Assert.Equal(0, CliRun.Run("keys", "new", "--node", "n1", "--out", keys).Exit);
        var config = _cli.Output("secure.json");
        File.WriteAllText(config, """{ "Murmur": { "Log": { "Url": "nats://from-file:4222", "Nats": { "Stream": "FILE_STREAM" } } } }""");
        var options = Parse("--config", config, "--log", "nats://from-cli:4222");
        KeyValuePair<string, string?>[] environment = [new("MURMUR__LOG__URL", "nats://from-env:4222"), new("MURMUR__SIGNING__KEYFILE", Path.Combine(keys, "n1.pem"))];

        var setup = options.Resolve(environment);
        var withoutCli = Parse("--config", config).Resolve(environment);

        Assert.Equal("nats://from-cli:4222", setup.Nats!.Url);
        Assert.Equal("nats://from-env:4222", withoutCli.Nats!.Url);
        Assert.Equal("FILE_STREAM", setup.Nats.StreamName);
        Assert.Equal("n1", setup.NodeId);
        Assert.True(setup.Signing!.RequireSignatures);
    }

    [Fact]
    public void Switches_SetTheirKeys_TheLastOneWins()
    {
        Assert.Equal("false", Parse("--require-signatures", "--allow-unsigned").Overrides[SettingKeys.SigningRequireSignatures]);
        Assert.Equal("true", Parse("--allow-unsigned", "--require-signatures").Overrides[SettingKeys.SigningRequireSignatures]);
        Assert.Equal("true", Parse("--tls").Overrides[SettingKeys.TlsEnabled]);
    }

    [Fact]
    public void EachOption_SetsTheKeyItsHelpNames()
    {
        var options = Parse("--nats-nkey", "u.nk", "--nats-creds", "u.creds", "--nats-user", "murmur", "--tls-ca", "ca.pem", "--tls-cert", "c.pem",
            "--tls-key", "k.pem", "--kafka-sasl-mechanism", "PLAIN", "--kafka-sasl-user", "k", "--sign-key", "n1.pem", "--trust-keys", "trusted");

        Assert.Equal("u.nk", options.Overrides[SettingKeys.NatsNKeyFile]);
        Assert.Equal("u.creds", options.Overrides[SettingKeys.NatsCredsFile]);
        Assert.Equal("murmur", options.Overrides[SettingKeys.NatsUser]);
        Assert.Equal("ca.pem", options.Overrides[SettingKeys.TlsCaFile]);
        Assert.Equal("c.pem", options.Overrides[SettingKeys.TlsCertFile]);
        Assert.Equal("k.pem", options.Overrides[SettingKeys.TlsKeyFile]);
        Assert.Equal("PLAIN", options.Overrides[SettingKeys.KafkaSaslMechanism]);
        Assert.Equal("k", options.Overrides[SettingKeys.KafkaSaslUsername]);
        Assert.Equal("n1.pem", options.Overrides[SettingKeys.SigningKeyFile]);
        Assert.Equal("trusted", options.Overrides[SettingKeys.SigningTrustedKeys]);
    }

    [Fact]
    public void NoOptionTakesASecret()
    {
        var help = CliRun.Run("log", "--help").Stdout;
        Assert.DoesNotContain("--nats-password", help, StringComparison.Ordinal);
        Assert.DoesNotContain("--nats-token", help, StringComparison.Ordinal);
        Assert.DoesNotContain("--kafka-sasl-password", help, StringComparison.Ordinal);
        Assert.Contains("MURMUR__LOG__NATS__PASSWORD", help, StringComparison.Ordinal);
        var (exit, _, stderr) = CliRun.Run("log", "tail", "--topic", "t", "--log", "nats://127.0.0.1:4222", "--nats-password", "hunter2");
        Assert.Equal(2, exit);
        Assert.Contains("unknown option '--nats-password'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AnOptionWithoutItsValue_IsAUsageError()
    {
        var (exit, _, stderr) = CliRun.Run("log", "tail", "--topic", "t", "--sign-key", "--log", "nats://127.0.0.1:4222");
        Assert.Equal(2, exit);
        Assert.Contains("'--sign-key' needs a value (FILE)", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void ANodeIdOtherThanTheKeys_IsAUsageError()
    {
        var keys = _cli.Directory("keys");
        CliRun.Run("keys", "new", "--node", "n1", "--out", keys);

        var (exit, _, stderr) = CliRun.Run("node", "--agents", "coder", "--root", ".", "--log", "nats://127.0.0.1:4222",
            "--sign-key", Path.Combine(keys, "n1.pem"), "--node-id", "n2");

        Assert.Equal(2, exit);
        Assert.Contains("Murmur:NodeId 'n2' does not match the signing key 'n1'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingConfigFile_IsAUsageErrorNamingIt()
    {
        var (exit, _, stderr) = CliRun.Run("log", "tail", "--topic", "t", "--config", "/nonexistent/murmur.json");
        Assert.Equal(2, exit);
        Assert.Contains("the configuration file '/nonexistent/murmur.json' does not exist", stderr, StringComparison.Ordinal);
    }

    /// <summary>Parses <paramref name="args"/> with only the shared options defined, as every log command defines them.</summary>
    internal static MeshOptions Parse(params string[] args)
    {
        var command = new System.CommandLine.RootCommand();
        var read = MeshOptions.AddTo(command);
        var parse = command.Parse(args);
        Assert.Empty(parse.Errors);
        return read(parse);
    }
}

/// <summary><c>--max-record-bytes</c>: the largest record, for servers with another <c>max_payload</c>.</summary>
public sealed class MaxRecordBytesOptionTests
{
    private static NodeSetup Resolve(params string[] args)
    {
        return MeshOptionsTests.Parse(args).Resolve([]);
    }

    [Fact]
    public void WithoutTheOption_NatsTakesTheDefaultThatFitsAStockServer()
        => Assert.Equal(Murmur.Nats.NatsEventLogOptions.DefaultMaxRecordBytes, Resolve("--log", "nats://127.0.0.1:4222").Nats!.MaxRecordBytes);

    [Fact]
    public void TheOption_SetsTheLargestRecord()
        => Assert.Equal(2_000_000, Resolve("--log", "nats://127.0.0.1:4222", "--max-record-bytes", "2000000").Nats!.MaxRecordBytes);
}
