namespace Murmur.Configuration;

/// <summary>The NATS JetStream log (<c>Murmur:Log:Nats</c>): its stream and how this node authenticates.</summary>
/// <remarks>Use one of user/password, token, nkey seed file or credentials file, as the servers demand.</remarks>
public sealed class NatsSettings
{
    /// <summary>The JetStream stream (<c>Murmur:Log:Nats:Stream</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: <c>MURMUR</c>.</value>
    public string? Stream { get; set; }

    /// <summary>The subject prefix of topics (<c>Murmur:Log:Nats:SubjectPrefix</c>).</summary>
    /// <value>Defaults to <see langword="null"/>: <c>murmur</c>.</value>
    public string? SubjectPrefix { get; set; }

    /// <summary>How many servers hold each record when the stream is created (<c>Murmur:Log:Nats:Replicas</c>, 1 to 5).</summary>
    /// <value>Defaults to <see langword="null"/>: 1.</value>
    public int? Replicas { get; set; }

    /// <summary>User name (<c>Murmur:Log:Nats:User</c>, <c>--nats-user</c>).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? User { get; set; }

    /// <summary>Password of <see cref="User"/> (<c>MURMUR__LOG__NATS__PASSWORD</c>); a secret: never printed.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Password { get; set; }

    /// <summary>Token (<c>MURMUR__LOG__NATS__TOKEN</c>); a secret: never printed.</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? Token { get; set; }

    /// <summary>Path of an nkey seed file (<c>Murmur:Log:Nats:NKeyFile</c>, <c>--nats-nkey</c>).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? NKeyFile { get; set; }

    /// <summary>Path of a credentials file, JWT and nkey (<c>Murmur:Log:Nats:CredsFile</c>, <c>--nats-creds</c>).</summary>
    /// <value>Defaults to <see langword="null"/>.</value>
    public string? CredsFile { get; set; }
}
