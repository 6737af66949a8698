using System.Security.Cryptography;
using Murmur.Security;

namespace Murmur.Configuration;

/// <summary>Loads <see cref="EventSigning"/> from <see cref="SigningSettings"/>: key files in the layout <c>murmur keys new</c> writes.</summary>
internal static class SigningResolver
{
    public static EventSigning? Load(SigningSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var keyFile = SettingFiles.Existing(SettingKeys.SigningKeyFile, settings.KeyFile);
        if (keyFile is null)
        {
            // Trusted keys alone are allowed (a configuration shared by nodes that each add their own key), but verify
            // nothing: the node runs unsigned and says so (SecurityReview).
            if (settings.RequireSignatures == true)
            {
                throw new MurmurSettingsException(SettingKeys.SigningRequireSignatures,
                    $"{SettingKeys.SigningRequireSignatures} needs {SettingKeys.SigningKeyFile} (this node's key) and {SettingKeys.SigningTrustedKeys} (the others' public keys).");
            }
            return null;
        }
        var algorithm = AlgorithmOf(settings.Algorithm, keyFile);
        var extension = algorithm == SigningAlgorithm.EcdsaP256Sha256 ? ".pem" : ".key";
        var keyId = string.IsNullOrWhiteSpace(settings.KeyId) ? KeyIdOf(keyFile, extension) : settings.KeyId.Trim();
        if (keyId.Length == 0 || keyId.Contains(':', StringComparison.Ordinal))
        {
            throw new MurmurSettingsException(SettingKeys.SigningKeyId, $"The key id '{keyId}' must be non-empty without ':' ({SettingKeys.SigningKeyId}, or the key file's name).");
        }
        var trusted = TrustedFiles(settings.TrustedKeys, algorithm, extension)
            .Where(t => !string.Equals(t.Key, keyId, StringComparison.Ordinal))
            .ToList();
        var signing = algorithm == SigningAlgorithm.EcdsaP256Sha256 ? LoadEcdsa(keyId, keyFile, trusted) : LoadHmac(keyId, keyFile, trusted);
        return signing with { RequireSignatures = settings.RequireSignatures ?? true };
    }

    private static SigningAlgorithm AlgorithmOf(string? name, string keyFile)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            return keyFile.EndsWith(".key", StringComparison.OrdinalIgnoreCase) ? SigningAlgorithm.HmacSha256 : SigningAlgorithm.EcdsaP256Sha256;
        }
        return name.Trim().ToUpperInvariant() switch
        {
            "ECDSAP256SHA256" or "ECDSA" or "ES256" => SigningAlgorithm.EcdsaP256Sha256,
            "HMACSHA256" or "HMAC" or "HS256" => SigningAlgorithm.HmacSha256,
            _ => throw new MurmurSettingsException(SettingKeys.SigningAlgorithm, $"{SettingKeys.SigningAlgorithm} '{name}' is unknown; use EcdsaP256Sha256 or HmacSha256."),
        };
    }

    /// <summary>The key id a file name holds: <c>node_v2.pem</c> is <c>node/v2</c>, as <see cref="EventSigning.FromEcdsaKeyDirectory"/> reads it.</summary>
    internal static string KeyIdOf(string path, string extension)
    {
        var name = Path.GetFileName(path);
        name = name.EndsWith(".pub.pem", StringComparison.OrdinalIgnoreCase) ? name[..^".pub.pem".Length]
            : name.EndsWith(extension, StringComparison.OrdinalIgnoreCase) ? name[..^extension.Length]
            : Path.GetFileNameWithoutExtension(name);
        var underscore = name.IndexOf('_', StringComparison.Ordinal);
        return underscore < 0 ? name : string.Concat(name.AsSpan(0, underscore), "/", name.AsSpan(underscore + 1));
    }

    private static List<KeyValuePair<string, string>> TrustedFiles(string? paths, SigningAlgorithm algorithm, string extension)
    {
        var pattern = algorithm == SigningAlgorithm.EcdsaP256Sha256 ? "*.pub.pem" : "*.key";
        var files = new List<KeyValuePair<string, string>>();
        foreach (var path in (paths ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var full = Path.GetFullPath(path);
            if (Directory.Exists(full))
            {
                files.AddRange(Directory.EnumerateFiles(full, pattern).Order(StringComparer.Ordinal).Select(f => new KeyValuePair<string, string>(KeyIdOf(f, extension), f)));
            }
            else if (File.Exists(full))
            {
                if (algorithm == SigningAlgorithm.EcdsaP256Sha256 && !full.EndsWith(".pub.pem", StringComparison.OrdinalIgnoreCase))
                {
                    throw new MurmurSettingsException(SettingKeys.SigningTrustedKeys,
                        $"{SettingKeys.SigningTrustedKeys}: '{path}' is not a public key file (KEYID.pub.pem); never hand out private keys.");
                }
                files.Add(new(KeyIdOf(full, extension), full));
            }
            else
            {
                throw new MurmurSettingsException(SettingKeys.SigningTrustedKeys, $"{SettingKeys.SigningTrustedKeys}: '{path}' is neither a directory nor a file.");
            }
        }
        return files;
    }

    private static EventSigning LoadEcdsa(string keyId, string keyFile, List<KeyValuePair<string, string>> trusted)
    {
        if (keyFile.EndsWith(".pub.pem", StringComparison.OrdinalIgnoreCase))
        {
            throw new MurmurSettingsException(SettingKeys.SigningKeyFile,
                $"{SettingKeys.SigningKeyFile} '{keyFile}' is a public key; give this node's private key (KEYID.pem).");
        }
        var pem = SettingFiles.Read(SettingKeys.SigningKeyFile, keyFile);
        if (!pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new MurmurSettingsException(SettingKeys.SigningKeyFile, $"{SettingKeys.SigningKeyFile} '{keyFile}' holds no PEM private key.");
        }
        var pems = trusted.Select(t => new KeyValuePair<string, string>(t.Key, SettingFiles.Read(SettingKeys.SigningTrustedKeys, t.Value))).ToList();
        try
        {
            return EventSigning.FromEcdsaPem(keyId, pem, pems);
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            var key = ex is ArgumentException { Message: var m } && m.Contains($"'{keyId}'", StringComparison.Ordinal) ? SettingKeys.SigningKeyFile : SettingKeys.SigningTrustedKeys;
            throw new MurmurSettingsException(key, $"{key}: {ex.Message}", ex);
        }
    }

    private static EventSigning LoadHmac(string keyId, string keyFile, List<KeyValuePair<string, string>> trusted)
    {
        var key = Base64Key(SettingKeys.SigningKeyFile, keyFile);
        var keys = trusted.ToDictionary(t => t.Key, t => (ReadOnlyMemory<byte>)Base64Key(SettingKeys.SigningTrustedKeys, t.Value), StringComparer.Ordinal);
        var signing = new EventSigning { Algorithm = SigningAlgorithm.HmacSha256, KeyId = keyId, Key = key, TrustedKeys = keys };
        if (key.Length < EventSigning.MinKeyBytes || keys.Any(k => k.Value.Length < EventSigning.MinKeyBytes))
        {
            var shortKey = key.Length < EventSigning.MinKeyBytes ? keyId : keys.First(k => k.Value.Length < EventSigning.MinKeyBytes).Key;
            throw new MurmurSettingsException(key.Length < EventSigning.MinKeyBytes ? SettingKeys.SigningKeyFile : SettingKeys.SigningTrustedKeys,
                $"The HMAC key '{shortKey}' is shorter than {EventSigning.MinKeyBytes} bytes.");
        }
        return signing;
    }

    private static byte[] Base64Key(string setting, string path)
    {
        var text = SettingFiles.Read(setting, path);
        try
        {
            return Convert.FromBase64String(string.Concat(text.Where(c => !char.IsWhiteSpace(c))));
        }
        catch (FormatException ex)
        {
            throw new MurmurSettingsException(setting, $"{setting}: '{path}' does not hold a base64 key.", ex);
        }
    }
}
