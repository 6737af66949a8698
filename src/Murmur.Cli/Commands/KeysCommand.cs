using System.CommandLine;
using System.Security.Cryptography;
using Murmur.Logs;
using Murmur.Security;
using NATS.NKeys;

namespace Murmur.Cli.Commands;

/// <summary>
/// <c>murmur keys new --node ID --out DIR</c>: an ECDSA P-256 key pair for signed events, in the layout the loader
/// reads (<c>ID.pem</c> private, <c>ID.pub.pem</c> public); <c>murmur keys nats-user --out FILE</c>: an nkey for NATS.
/// </summary>
internal sealed class KeysCommand : ICommand
{
    public Command Build()
    {
        var command = new MurmurCommand("keys", "make a node's signing key pair, or an nkey to authenticate to NATS") { Details = """
                new        writes an ECDSA P-256 key pair for node ID: DIR/ID.pem, the private key (PKCS#8 PEM, readable by
                           its owner only: it stays on node ID) and DIR/ID.pub.pem, the public key (copy it into the trusted
                           key directory of every other node: --trust-keys DIR). ID is the node's id; for a second key of a
                           node (rotation) use ID/VERSION, stored as ID_VERSION.pem.
                nats-user  writes a NATS user nkey seed to FILE (owner-only) for --nats-nkey FILE, and prints its public key
                           (U…), which goes into the server's configuration: authorization { users = [ { nkey: "U…" } ] }.

                exit codes: 0 written, 1 the files exist (without --force) or cannot be written, 2 usage error.
                """ };
        var node = new Option<string>("--node") { HelpName = "ID", Description = "the node the key belongs to (its key id)", Required = true };
        var directory = new Option<string>("--out") { HelpName = "DIR", Description = "where to write (created if missing)", Required = true };
        var file = new Option<string>("--out") { HelpName = "FILE", Description = "the nkey seed file to write", Required = true };
        var pairForce = new Option<bool>("--force") { Description = "replace existing files" };
        var nkeyForce = new Option<bool>("--force") { Description = "replace an existing file" };
        var pair = new MurmurCommand("new", "write an ECDSA P-256 key pair for node ID: DIR/ID.pem (private) and DIR/ID.pub.pem (public)") { Options = { node, directory, pairForce } };
        pair.SetRun((parse, stdout, stderr) => Write(() => NewPair(parse.GetValue(node)!, parse.GetValue(directory)!, parse.GetValue(pairForce), stdout, stderr), stderr));
        var nkey = new MurmurCommand("nats-user", "write a NATS user nkey seed to FILE and print its public key") { Options = { file, nkeyForce } };
        nkey.SetRun((parse, stdout, stderr) => Write(() => NewNKey(parse.GetValue(file)!, parse.GetValue(nkeyForce), stdout, stderr), stderr));
        command.Subcommands.Add(pair);
        command.Subcommands.Add(nkey);
        return command;
    }

    private static int Write(Func<int> write, TextWriter stderr)
    {
        try
        {
            return write();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            stderr.WriteLine($"murmur keys: cannot write: {ex.Message}");
            return ExitCodes.Failed;
        }
    }

    private static int NewPair(string node, string directory, bool force, TextWriter stdout, TextWriter stderr)
    {
        var nodePart = EventSigning.NodeOf(node);
        var bad = TopicName.Check(nodePart);
        if (bad is not null || node.Contains(':', StringComparison.Ordinal) || node.Count(c => c == '/') > 1 || node.EndsWith('/'))
        {
            throw new UsageException($"--node '{node}' is not a key id (NODE or NODE/VERSION, no ':'){(bad is null ? "" : $": {bad}")}.");
        }
        if (nodePart.Contains('_', StringComparison.Ordinal))
        {
            throw new UsageException($"--node '{node}': key files store NODE/VERSION as NODE_VERSION, so a node id with '_' would be read back as another; use '-' instead.");
        }
        Directory.CreateDirectory(directory);
        var name = node.Replace('/', '_');
        var privatePath = Path.Combine(directory, name + ".pem");
        var publicPath = Path.Combine(directory, name + ".pub.pem");
        if (!force && (File.Exists(privatePath) || File.Exists(publicPath)))
        {
            stderr.WriteLine($"murmur keys: '{(File.Exists(privatePath) ? privatePath : publicPath)}' exists; a new key would orphan the old one's signatures (--force replaces it).");
            return ExitCodes.Failed;
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        WriteSecret(privatePath, key.ExportPkcs8PrivateKeyPem() + "\n", force);
        File.WriteAllText(publicPath, key.ExportSubjectPublicKeyInfoPem() + "\n");
        stdout.WriteLine($"wrote {privatePath} (private: keep it on node {nodePart} only)");
        stdout.WriteLine($"wrote {publicPath} (public: copy it to the trusted key directory of every other node)");
        return ExitCodes.Ok;
    }

    private static int NewNKey(string file, bool force, TextWriter stdout, TextWriter stderr)
    {
        if (!force && File.Exists(file))
        {
            stderr.WriteLine($"murmur keys: '{file}' exists (--force replaces it).");
            return ExitCodes.Failed;
        }
        if (Path.GetDirectoryName(Path.GetFullPath(file)) is { } parent)
        {
            Directory.CreateDirectory(parent);
        }
        var pair = KeyPair.CreatePair(PrefixByte.User);
        // The NATS .NET client reads the public key line, then the seed (the layout of 'nk -gen user -pubout').
        WriteSecret(file, pair.GetPublicKey() + "\n" + pair.GetSeed() + "\n", force);
        stdout.WriteLine($"wrote {file} (the nkey seed: a secret; use it with --nats-nkey {file})");
        stdout.WriteLine($"public key: {pair.GetPublicKey()}");
        return ExitCodes.Ok;
    }

    /// <summary>Creates the file readable and writable by its owner only, before any secret byte is in it.</summary>
    private static void WriteSecret(string path, string text, bool replace)
    {
        if (replace)
        {
            File.Delete(path);
        }
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(text);
    }
}
