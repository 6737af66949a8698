using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Murmur.Nats.Integration.Tests;

/// <summary>
/// A private CA made for one test, a server certificate it signed for 127.0.0.1, and a client certificate it signed
/// (for servers that verify clients), written as PEM files: ca.pem, server.pem, server-key.pem, client.pem, client-key.pem.
/// </summary>
internal static class TestPki
{
    public static void WriteTo(string dir)
    {
        using var caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var caRequest = new CertificateRequest("CN=murmur-test-ca", caKey, HashAlgorithmName.SHA256);
        caRequest.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        caRequest.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        // One instant for every validity period: a certificate may not outlive the CA that signed it.
        var now = DateTimeOffset.UtcNow;
        using var ca = caRequest.CreateSelfSigned(now.AddDays(-1), now.AddDays(1));
        File.WriteAllText(Path.Combine(dir, "ca.pem"), ca.ExportCertificatePem());
        Issue(ca, now, dir, "server", "CN=127.0.0.1", "1.3.6.1.5.5.7.3.1", [1, 2, 3, 4]);
        Issue(ca, now, dir, "client", "CN=murmur-node", "1.3.6.1.5.5.7.3.2", [5, 6, 7, 8]);
    }

    /// <summary>The nats-server <c>tls</c> block for the files <see cref="WriteTo"/> wrote; <paramref name="verifyClients"/> demands client certificates.</summary>
    public static string NatsTlsBlock(string dir, bool verifyClients)
        => $$"""tls { cert_file: "{{Path.Combine(dir, "server.pem")}}", key_file: "{{Path.Combine(dir, "server-key.pem")}}", ca_file: "{{Path.Combine(dir, "ca.pem")}}", verify: {{(verifyClients ? "true" : "false")}} }""";

    private static void Issue(X509Certificate2 ca, DateTimeOffset now, string dir, string name, string subject, string usage, byte[] serial)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(subject, key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        using var certificate = request.Create(ca, now.AddDays(-1), now.AddDays(1), serial);
        File.WriteAllText(Path.Combine(dir, name + ".pem"), certificate.ExportCertificatePem());
        File.WriteAllText(Path.Combine(dir, name + "-key.pem"), key.ExportPkcs8PrivateKeyPem());
    }
}
