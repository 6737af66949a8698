namespace Murmur.Configuration.Tests;

/// <summary>Secrets never appear in what a node prints: its description, its warnings, its errors.</summary>
public sealed class RedactionTests
{
    private const string Password = "pw-Secret-123";
    private const string Token = "tok-Secret-456";
    private const string UrlPassword = "url-Secret-789";

    [Fact]
    public void Describe_ShowsTheSetup_WithoutPasswordsOrUrlCredentials()
    {
        var setup = Settings.Resolve(
            (SettingKeys.LogUrl, $"nats://murmur:{UrlPassword}@10.0.0.1:4222,nats://10.0.0.2:4222"),
            (SettingKeys.NatsUser, "murmur"),
            (SettingKeys.NatsPassword, Password));

        var shown = string.Join('\n', [setup.Describe(), setup.ToString(), setup.LogAddress!, .. setup.Warnings.Select(w => w.ToString())]);

        Assert.Contains("nats://***@10.0.0.1:4222,nats://10.0.0.2:4222", shown, StringComparison.Ordinal);
        Assert.Contains("user murmur", shown, StringComparison.Ordinal);
        Assert.DoesNotContain(Password, shown, StringComparison.Ordinal);
        Assert.DoesNotContain(UrlPassword, shown, StringComparison.Ordinal);
    }

    [Fact]
    public void TokensAndSaslPasswords_AreNotShown()
    {
        var nats = Settings.Resolve((SettingKeys.LogUrl, "nats://n:4222"), (SettingKeys.NatsToken, Token));
        var kafka = Settings.Resolve((SettingKeys.LogUrl, "kafka://k:9092"), (SettingKeys.KafkaSaslMechanism, "PLAIN"),
            (SettingKeys.KafkaSaslUsername, "murmur"), (SettingKeys.KafkaSaslPassword, Password));

        Assert.Contains("token", nats.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain(Token, nats.Describe(), StringComparison.Ordinal);
        Assert.Contains("SASL Plain as murmur", kafka.Describe(), StringComparison.Ordinal);
        Assert.DoesNotContain(Password, kafka.Describe() + string.Concat(kafka.Warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void AnErrorAboutAUrlWithCredentials_HidesThem()
    {
        var error = Settings.Refused((SettingKeys.LogUrl, $"http://murmur:{UrlPassword}@host:4222"));
        Assert.DoesNotContain(UrlPassword, error.Message, StringComparison.Ordinal);
        Assert.Contains("http://***@host:4222", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnErrorAboutAMissingPassword_DoesNotEchoTheOtherSecrets()
    {
        var error = Settings.Refused((SettingKeys.LogUrl, "kafka://k:9092"), (SettingKeys.KafkaSaslMechanism, "PLAIN"), (SettingKeys.KafkaSaslPassword, Password));
        Assert.DoesNotContain(Password, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheNatsLogsConnectionError_HidesUrlCredentials()
    {
        var options = new Murmur.Nats.NatsEventLogOptions { Url = $"nats://{Token}@a:1,tls://u:{UrlPassword}@b:2,nats://c:3" };
        Assert.Equal("nats://***@a:1,tls://***@b:2,nats://c:3", options.RedactedUrl);
    }
}
