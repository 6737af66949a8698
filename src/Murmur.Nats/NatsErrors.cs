using Murmur.Logs;
using NATS.Client.Core;
using NATS.Client.JetStream;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace Murmur.Nats;

/// <summary>Classifies NATS client failures: what a retry may get past, what only a configuration change fixes.</summary>
internal static class NatsErrors
{
    /// <summary>
    /// No answer in time, no responders (no stream leader yet), JetStream 503 while a leader is elected, a connection
    /// that is being re-established: the same request may succeed a moment later.
    /// </summary>
    public static bool IsTransient(Exception ex) => !IsConfiguration(ex) && ex is
        NatsJSPublishNoResponseException or NatsNoRespondersException or TimeoutException or NatsJSApiNoResponseException
        or NatsNoReplyException or NatsTimeoutException or NatsJSTimeoutException or NatsJSConnectionException or NatsConnectionFailedException
        or NatsJSApiException { Error.Code: 503 or 504 } or NatsException { InnerException: TimeoutException }
        or TimeoutRejectedException or BrokenCircuitException;

    /// <summary>
    /// The server refused the credentials or the permissions (an authorization violation anywhere in the chain), the
    /// record is larger than the servers' max_payload, or JetStream refused the request as malformed or for a stream
    /// that does not exist: no retry helps until the configuration changes.
    /// </summary>
    public static bool IsConfiguration(Exception ex)
    {
        for (var cause = ex; cause is not null; cause = cause.InnerException)
        {
            switch (cause)
            {
                case NatsServerException server when server.IsAuthError
                    || server.Error.Contains("permissions violation", StringComparison.OrdinalIgnoreCase):
                case NatsPayloadTooLargeException:
                case NatsJSApiException { Error.Code: 400 or 401 or 403 or 413 }:
                case NatsJSApiException { Error.ErrCode: 10039 or 10059 or 10060 }: // JetStream not enabled, stream not found, expected stream mismatch
                    return true;
            }
            if (cause.Message.Contains("Authorization Violation", StringComparison.OrdinalIgnoreCase)
                || cause.Message.Contains("Authentication Timeout", StringComparison.OrdinalIgnoreCase)
                || cause.Message.Contains("Permissions Violation", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>A failed append. <paramref name="maybeSent"/>: some attempt may have reached a stream (anything but no responders).</summary>
    public static EventLogException AppendFailed(string topic, string eventId, Exception ex, bool maybeSent)
    {
        var configuration = IsConfiguration(ex);
        var unknown = !configuration && (maybeSent || ex is not NatsNoRespondersException);
        return new EventLogException(
            $"Appending event '{eventId}' to topic '{topic}' on NATS failed: {NatsEventLog.Describe(ex)}. "
            + (unknown ? "The event may or may not be stored; retrying with the same event id is safe." : "The event was not stored."), ex)
        {
            IsTransient = IsTransient(ex),
            OutcomeUnknown = unknown,
            IsConfigurationError = configuration,
        };
    }

    /// <summary>A failed call that stores nothing (a read, a query, a connect).</summary>
    public static EventLogException Failed(string message, Exception ex)
        => new(message, ex) { IsTransient = IsTransient(ex), IsConfigurationError = IsConfiguration(ex) };
}
