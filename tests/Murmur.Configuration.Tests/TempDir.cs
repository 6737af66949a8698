using System.Security.Cryptography;

namespace Murmur.Configuration.Tests;

/// <summary>A temporary directory with files and key pairs in the layout 'murmur keys new' writes; deleted on dispose.</summary>
internal sealed class TempDir : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("murmur-config-").FullName;

    public string File(string name, string text = "x")
    {
        var path = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(path)!);
        System.IO.File.WriteAllText(path, text);
        return path;
    }

    /// <summary>Writes DIR/ID.pem (owner-only) and DIR/ID.pub.pem; returns the private key's path.</summary>
    public string EcdsaPair(string keyId, string directory = "keys")
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var name = keyId.Replace('/', '_');
        var own = File(System.IO.Path.Combine(directory, name + ".pem"), key.ExportPkcs8PrivateKeyPem());
        System.IO.File.SetUnixFileMode(own, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File(System.IO.Path.Combine(directory, name + ".pub.pem"), key.ExportSubjectPublicKeyInfoPem());
        return own;
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);
}
