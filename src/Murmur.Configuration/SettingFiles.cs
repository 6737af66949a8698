namespace Murmur.Configuration;

/// <summary>Checks the files that settings name, so a missing one is an error naming its key rather than a failure deep in a client.</summary>
internal static class SettingFiles
{
    /// <summary>Returns the full path of an existing file, or null when <paramref name="path"/> is not set.</summary>
    public static string? Existing(string key, string? path)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            return null;
        }
        var full = Path.GetFullPath(path.Trim());
        if (Directory.Exists(full))
        {
            throw new MurmurSettingsException(key, $"{key} '{path}' is a directory; it must name a file.");
        }
        if (!File.Exists(full))
        {
            throw new MurmurSettingsException(key, $"{key}: the file '{path}' does not exist.");
        }
        return full;
    }

    /// <summary>Reads a file named by a setting; a failure names the key.</summary>
    public static string Read(string key, string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new MurmurSettingsException(key, $"{key}: cannot read '{path}': {ex.Message}", ex);
        }
    }

    /// <summary>True when a private key file can be read by users other than its owner (Unix permissions).</summary>
    public static bool ReadableByOthers(string path)
    {
        if (OperatingSystem.IsWindows())
        {
            return false;
        }
        const UnixFileMode others = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite;
        return (File.GetUnixFileMode(path) & others) != 0;
    }
}
