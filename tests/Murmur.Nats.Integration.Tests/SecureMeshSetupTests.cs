using System.Diagnostics;

namespace Murmur.Nats.Integration.Tests;

/// <summary>examples/secure-mesh/setup.sh, as docs/security.md runs it: the server it configures starts, its nodes connect signed and authenticated, others do not.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class SecureMeshSetupTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(2);

    [Fact]
    public async Task TheSetupScript_MakesAMeshWhoseNodesConnect_AndWhoseServerRefusesStrangers()
    {
        var script = Path.Combine(Path.GetDirectoryName(MeshCliTests.ExampleTree())!, "secure-mesh", "setup.sh");
        var dir = Path.Combine(Path.GetTempPath(), $"murmur-setup-{Guid.NewGuid():N}");
        try
        {
            var setup = new ProcessStartInfo("bash", [script, dir, "alpha", "beta"]) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            setup.Environment["MURMUR_CLI"] = $"dotnet {Path.Combine(AppContext.BaseDirectory, "Murmur.Cli.dll")}";
            setup.Environment["MURMUR_SECURE_PORT"] = NatsCluster.Shift(25304).ToString(System.Globalization.CultureInfo.InvariantCulture);
            using (var run = Process.Start(setup)!)
            {
                var output = run.StandardOutput.ReadToEndAsync();
                var errors = run.StandardError.ReadToEndAsync();
                await run.WaitForExitAsync().WaitAsync(Patience);
                Assert.True(run.ExitCode == 0, $"setup.sh failed: {await output}{await errors}");
            }
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(dir, "keys", "alpha", "alpha.pem")));
            Assert.True(File.Exists(Path.Combine(dir, "trusted", "beta.pub.pem")));
            await using var server = await SecuredNatsServer.StartFromAsync(Path.Combine(dir, "nats-server.conf"), NatsCluster.Shift(25304));

            using (var signed = OutputProcess.Murmur("log", "tail", "--topic", "t", "--no-follow", "--config", Path.Combine(dir, "murmur.json"),
                "--nats-nkey", Path.Combine(dir, "alpha.nk"), "--sign-key", Path.Combine(dir, "keys", "alpha", "alpha.pem")))
            {
                Assert.True(await signed.WaitForExitAsync(Patience) == 0, signed.Output);
                Assert.DoesNotContain("warning", signed.Output, StringComparison.Ordinal);
            }
            using var stranger = OutputProcess.Murmur("log", "tail", "--topic", "t", "--no-follow", "--config", Path.Combine(dir, "murmur.json"));
            Assert.Equal(1, await stranger.WaitForExitAsync(Patience));
            Assert.Contains("Authorization Violation", stranger.Output, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
    }
}
