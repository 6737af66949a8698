using Microsoft.Extensions.Time.Testing;
using Murmur.Fleet;

namespace Murmur.Tests.Fleet;

public sealed class PhiAccrualDetectorTests
{
    [Fact]
    public void BeforeTheFirstHeartbeat_PhiIsZero_AndTheNodeIsNotSuspected()
    {
        var time = new FakeTimeProvider();
        var detector = new PhiAccrualDetector(PhiAccrualOptions.Default, time);
        time.Advance(TimeSpan.FromMinutes(10));
        Assert.False(detector.HasHeartbeat);
        Assert.Equal(0, detector.Phi());
        Assert.True(detector.IsAvailable);
    }

    [Fact]
    public void RightAfterAHeartbeat_PhiIsPositiveZero_NotMinusZero()
    {
        var time = new FakeTimeProvider();
        var detector = new PhiAccrualDetector(PhiAccrualOptions.Default, time);
        for (var i = 0; i < 10; i++)
        {
            detector.Heartbeat();
            time.Advance(TimeSpan.FromMilliseconds(500));
        }
        detector.Heartbeat();

        var phi = detector.Phi();

        Assert.Equal(0, phi);
        Assert.False(double.IsNegative(phi)); // -0 printed as "phi -0.0" in 'murmur nodes'
        Assert.Equal("0.0", phi.ToString("0.0", System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public void JitteryHeartbeats_WithPausesBelowTheAcceptablePause_AreNeverSuspected()
    {
        var time = new FakeTimeProvider();
        var options = PhiAccrualOptions.Default;
        var detector = new PhiAccrualDetector(options, time);
        var random = new Random(42);
        detector.Heartbeat();
        var highest = 0.0;
        for (var i = 0; i < 5_000; i++)
        {
            // 1 s ± 400 ms, and one beat in fifty held up 2.5 s (a GC, a loaded machine).
            var interval = i % 50 == 49 ? 2_500 : 600 + random.Next(800);
            // Look at φ along the way, not only at the end of the interval.
            for (var step = 0; step < 4; step++)
            {
                time.Advance(TimeSpan.FromMilliseconds(interval / 4.0));
                highest = Math.Max(highest, detector.Phi());
            }
            detector.Heartbeat();
        }
        Assert.True(highest < options.Threshold, $"φ reached {highest:0.00} with live heartbeats");
    }

    [Fact]
    public void ADiscountedStretch_IsNotCountedAsSilence_ButTheSilenceAroundItIs_AndNeverMoreThanAllOfIt()
    {
        var time = new FakeTimeProvider();
        var twin = new FakeTimeProvider();
        var detector = new PhiAccrualDetector(PhiAccrualOptions.Default, time);
        var reference = new PhiAccrualDetector(PhiAccrualOptions.Default, twin);
        for (var i = 0; i < 10; i++)
        {
            detector.Heartbeat();
            reference.Heartbeat();
            time.Advance(TimeSpan.FromSeconds(1));
            twin.Advance(TimeSpan.FromSeconds(1));
        }
        detector.Heartbeat();
        reference.Heartbeat();

        // 1 s of silence, a 5 s stall not counted, 1 s more: the same φ as 2 s of silence.
        time.Advance(TimeSpan.FromSeconds(6));
        detector.Discount(TimeSpan.FromSeconds(5));
        time.Advance(TimeSpan.FromSeconds(1));
        twin.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(reference.Phi(), detector.Phi(), 9);

        // A discount longer than the silence leaves none (never a heartbeat in the future).
        detector.Discount(TimeSpan.FromMinutes(5));
        Assert.Equal(0, detector.Phi(), 1);
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(reference.Phi(), detector.Phi(), 9);
    }

    [Fact]
    public void AHeartbeatThatIsNotSampled_EndsTheSilence_WithoutTeachingTheDetectorALongInterval()
    {
        var time = new FakeTimeProvider();
        var detector = new PhiAccrualDetector(PhiAccrualOptions.Default, time);
        var learning = new PhiAccrualDetector(PhiAccrualOptions.Default, time);
        for (var i = 0; i < 10; i++)
        {
            detector.Heartbeat();
            learning.Heartbeat();
            time.Advance(TimeSpan.FromSeconds(1));
        }
        time.Advance(TimeSpan.FromSeconds(20)); // held up by a stalled store
        detector.Heartbeat(sample: false);
        learning.Heartbeat();

        time.Advance(TimeSpan.FromSeconds(10));
        Assert.False(detector.IsAvailable, $"the 20 s interval was learned: 10 s of silence no longer looks long (φ {detector.Phi():0.00})");
        Assert.True(learning.IsAvailable, $"φ {learning.Phi():0.00}"); // what learning it would have done
    }

    [Fact]
    public void Silence_IsSuspected_WithinIntervalPlusAcceptablePausePlusTenDeviations()
    {
        var time = new FakeTimeProvider();
        var options = PhiAccrualOptions.Default;
        var detector = new PhiAccrualDetector(options, time);
        for (var i = 0; i < 30; i++)
        {
            detector.Heartbeat();
            time.Advance(TimeSpan.FromSeconds(1));
        }
        detector.Heartbeat();
        time.Advance(TimeSpan.FromSeconds(3.5));
        Assert.True(detector.IsAvailable, $"suspected after 3.5 s of silence (φ {detector.Phi():0.00}); the acceptable pause is 3 s");
        var bound = TimeSpan.FromSeconds(1) + options.AcceptableHeartbeatPause + 10 * options.MinStdDeviation;
        time.Advance(bound - TimeSpan.FromSeconds(3.5));
        Assert.False(detector.IsAvailable, $"not suspected after {bound.TotalSeconds} s of silence (φ {detector.Phi():0.00})");
    }

    [Fact]
    public void Phi_GrowsWithSilence()
    {
        var time = new FakeTimeProvider();
        var detector = new PhiAccrualDetector(PhiAccrualOptions.Default with { AcceptableHeartbeatPause = TimeSpan.Zero }, time);
        detector.Heartbeat();
        var previous = detector.Phi();
        for (var i = 0; i < 40; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            var phi = detector.Phi();
            Assert.True(phi >= previous, $"φ fell from {previous} to {phi} after {i} steps");
            previous = phi;
        }
        Assert.True(previous > 8, $"φ is {previous} after 4 s");
    }

    [Fact]
    public void SmallSettings_DetectQuickly()
    {
        var time = new FakeTimeProvider();
        var options = new PhiAccrualOptions { FirstHeartbeatEstimate = TimeSpan.FromMilliseconds(100), AcceptableHeartbeatPause = TimeSpan.FromMilliseconds(200), MinStdDeviation = TimeSpan.FromMilliseconds(20) };
        var detector = new PhiAccrualDetector(options, time);
        detector.Heartbeat();
        time.Advance(TimeSpan.FromMilliseconds(250));
        Assert.True(detector.IsAvailable);
        time.Advance(TimeSpan.FromMilliseconds(300));
        Assert.False(detector.IsAvailable);
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(-1, 1)]
    [InlineData(8, 1)]
    public void BadOptions_AreRefused_WithTheOptionNamed(double threshold, int samples)
    {
        var options = new PhiAccrualOptions { Threshold = threshold, MaxSampleSize = samples };
        var error = Assert.Throws<ArgumentOutOfRangeException>(() => new PhiAccrualDetector(options, TimeProvider.System));
        Assert.Contains("PhiAccrual.", error.Message, StringComparison.Ordinal);
    }
}
