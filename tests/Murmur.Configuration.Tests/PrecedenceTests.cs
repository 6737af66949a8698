namespace Murmur.Configuration.Tests;

/// <summary>appsettings &lt; MURMUR__ environment variables &lt; command line, key by key.</summary>
public sealed class PrecedenceTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string Json() => _dir.File("appsettings.json", """
        {
          "Logging": { "LogLevel": { "Default": "Information" } },
          "Murmur": {
            "NodeId": "from-json",
            "Log": {
              "Url": "nats://json:4222",
              "Nats": { "Stream": "JSON_STREAM", "Replicas": 3 }
            },
            "Signing": { "RequireSignatures": false }
          }
        }
        """);

    private static KeyValuePair<string, string?> Pair(string key, string? value) => new(key, value);

    [Fact]
    public void EachLayer_OverridesOnlyTheKeysItSets()
    {
        var environment = new[] { Pair("MURMUR__LOG__URL", "nats://env:4222"), Pair("MURMUR__NODEID", "from-env") };
        var commandLine = new[] { Pair(SettingKeys.LogUrl, "nats://cli:4222") };

        var settings = MurmurNodeSettings.From(MurmurConfiguration.Build(Json(), environment, commandLine));

        Assert.Equal("nats://cli:4222", settings.Log.Url);        // json < env < command line
        Assert.Equal("from-env", settings.NodeId);                 // json < env
        Assert.Equal("JSON_STREAM", settings.Log.Nats.Stream);     // json only
        Assert.Equal(3, settings.Log.Nats.Replicas);
        Assert.False(settings.Signing.RequireSignatures);
    }

    [Fact]
    public void ABooleanFromJson_IsOverriddenByTheEnvironment_ThenByTheCommandLine()
    {
        var environment = new[] { Pair("MURMUR__SIGNING__REQUIRESIGNATURES", "true") };

        var fromEnvironment = MurmurNodeSettings.From(MurmurConfiguration.Build(Json(), environment, []));
        var fromCommandLine = MurmurNodeSettings.From(MurmurConfiguration.Build(Json(), environment, [Pair(SettingKeys.SigningRequireSignatures, "false")]));

        Assert.True(fromEnvironment.Signing.RequireSignatures);
        Assert.False(fromCommandLine.Signing.RequireSignatures);
    }

    [Fact]
    public void EnvironmentNames_AreCaseInsensitive_AndOnlyThoseWithThePrefixCount()
    {
        var environment = new[]
        {
            Pair("murmur__log__nats__stream", "LOWER"),
            Pair("LOG__URL", "nats://not-murmur:1"),
            Pair("MURMUR_LOG__URL", "nats://one-underscore:1"),
            Pair("PATH", "/usr/bin"),
        };

        var settings = MurmurNodeSettings.From(MurmurConfiguration.Build(Json(), environment, []));

        Assert.Equal("LOWER", settings.Log.Nats.Stream);
        Assert.Equal("nats://json:4222", settings.Log.Url);
    }

    [Fact]
    public void EnvironmentVariable_IsTheDotNetSpellingOfAKey()
    {
        Assert.Equal("MURMUR__SIGNING__KEYFILE", SettingKeys.EnvironmentVariable(SettingKeys.SigningKeyFile));
        Assert.Equal("MURMUR__LOG__NATS__PASSWORD", SettingKeys.EnvironmentVariable(SettingKeys.NatsPassword));
    }

    [Fact]
    public void WithoutAFile_TheEnvironmentAndCommandLineSuffice()
    {
        var settings = MurmurNodeSettings.From(MurmurConfiguration.Build(null, [Pair("MURMUR__LOG__URL", "kafka://k:9092")], []));
        Assert.Equal("kafka://k:9092", settings.Log.Url);
    }

    [Fact]
    public void AMissingFile_IsAnErrorNamingIt()
    {
        var error = Assert.Throws<MurmurSettingsException>(() => MurmurConfiguration.Build(Path.Combine(_dir.Path, "nope.json"), [], []));
        Assert.Equal("config", error.Key);
        Assert.Contains("nope.json' does not exist", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AFileThatIsNotJson_IsAnErrorNamingIt()
    {
        var file = _dir.File("broken.json", "{ \"Murmur\": { \"Log\": ");
        var error = Assert.Throws<MurmurSettingsException>(() => MurmurConfiguration.Build(file, [], []));
        Assert.Contains("broken.json' is not valid JSON", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AValueOfTheWrongType_IsAnErrorNamingTheKey()
    {
        var error = Assert.Throws<MurmurSettingsException>(() => Settings.Bind(("Murmur:Log:Nats:Replicas", "three")));
        Assert.Contains("Murmur:Log:Nats:Replicas", error.Message, StringComparison.Ordinal);
    }
}
