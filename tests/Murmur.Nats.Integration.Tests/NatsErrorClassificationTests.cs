using NATS.Client.Core;
using NATS.Client.JetStream;
using NATS.Client.JetStream.Models;

namespace Murmur.Nats.Integration.Tests;

/// <summary>How the NATS log classifies the client's failures (no server needed).</summary>
public sealed class NatsErrorClassificationTests
{
    private static NatsJSApiException Api(int code, int errCode = 0) => new(new ApiError { Code = code, ErrCode = errCode, Description = "test" });

    public static TheoryData<string, Exception, bool, bool, bool> Appends => new()
    {
        // name, failure, transient, outcome unknown, configuration
        { "authorization violation", new NatsServerException("Authorization Violation"), false, false, true },
        { "auth inside a connect failure", new NatsException("connect failed", new NatsServerException("authorization violation")), false, false, true },
        { "permissions violation", new NatsServerException("Permissions Violation for Publish to \"murmur.t\""), false, false, true },
        { "message too large", new NatsPayloadTooLargeException("Payload size 2000000 exceeds server's maximum payload size 1048576"), false, false, true },
        { "stream not found", Api(404, 10059), false, false, true },
        { "timeout", new TimeoutException(), true, true, false },
        { "no acknowledgement", new NatsJSPublishNoResponseException(), true, true, false },
        { "no responders", new NatsNoRespondersException(), true, false, false },
        { "leader being elected (503)", Api(503), true, true, false },
        { "request timed out in the client", new NatsException("request timed out", new TimeoutException()), true, true, false },
    };

    [Theory]
    [MemberData(nameof(Appends))]
    public void AppendFailure_IsClassified(string name, Exception failure, bool transient, bool outcomeUnknown, bool configuration)
    {
        var error = NatsErrors.AppendFailed("t", "e1", failure, maybeSent: false);
        Assert.True((transient, outcomeUnknown, configuration) == (error.IsTransient, error.OutcomeUnknown, error.IsConfigurationError),
            $"{name}: transient {error.IsTransient}, outcome unknown {error.OutcomeUnknown}, configuration {error.IsConfigurationError}");
        Assert.Same(failure, error.InnerException);
        Assert.StartsWith("Appending event 'e1' to topic 't' on NATS failed: ", error.Message, StringComparison.Ordinal);
        Assert.Contains(outcomeUnknown ? "may or may not be stored" : "was not stored", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NoResponders_AfterAnAttemptThatMayHaveBeenStored_IsOutcomeUnknown()
        => Assert.True(NatsErrors.AppendFailed("t", "e1", new NatsNoRespondersException(), maybeSent: true).OutcomeUnknown);

    [Fact]
    public void AuthFailures_AreNotRetried_Timeouts_Are()
    {
        Assert.False(NatsErrors.IsTransient(new NatsServerException("Authorization Violation")));
        Assert.False(NatsErrors.IsTransient(new NatsConnectionFailedException("Authorization Violation")));
        Assert.True(NatsErrors.IsTransient(new NatsConnectionFailedException("can't connect")));
        Assert.True(NatsErrors.IsTransient(new NatsNoRespondersException()));
        Assert.False(NatsErrors.IsTransient(Api(400, 10052)));
        Assert.True(NatsErrors.IsConfiguration(Api(400, 10052)));
        var read = NatsErrors.Failed("Reading topic 't' on NATS failed", new TimeoutException());
        Assert.True(read.IsTransient);
        Assert.False(read.OutcomeUnknown);
    }
}
