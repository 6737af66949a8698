using Microsoft.Extensions.Logging.Abstractions;
using NATS.Client.Core;

namespace Murmur.Nats;

/// <summary>Maps <see cref="NatsEventLogOptions"/> to the client's <see cref="NatsOpts"/>.</summary>
internal static class NatsOptionsFactory
{
    public static NatsOpts Create(NatsEventLogOptions options)
    {
        var auth = NatsAuthOpts.Default with
        {
            Username = options.Username,
            Password = options.Password,
            Token = options.Token,
            NKeyFile = options.NKeyFile,
            CredsFile = options.CredsFile,
        };
        var tls = NatsTlsOpts.Default with
        {
            Mode = options.RequireTls ? TlsMode.Require : TlsMode.Auto,
            CaFile = options.CaFile,
            CertFile = options.CertFile,
            KeyFile = options.KeyFile,
        };
        return NatsOpts.Default with
        {
            Url = options.Url,
            Name = options.ClientName,
            AuthOpts = auth,
            TlsOpts = tls,
            RequestTimeout = options.RequestTimeout,
            CommandTimeout = options.RequestTimeout,
            MaxReconnectRetry = -1,
            ReconnectWaitMin = TimeSpan.FromMilliseconds(100),
            ReconnectWaitMax = TimeSpan.FromSeconds(2),
            LoggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance,
        };
    }
}
