namespace Murmur.Configuration;

/// <summary>A node setting is wrong or names a file that cannot be read; <see cref="Key"/> says which.</summary>
/// <remarks>The message names the key and the problem, never a secret's value.</remarks>
public sealed class MurmurSettingsException : Exception
{
    /// <summary>Creates the exception.</summary>
    public MurmurSettingsException(string key, string message, Exception? innerException = null)
        : base(message, innerException)
        => Key = key;

    /// <summary>The configuration key at fault, e.g. <c>Murmur:Signing:KeyFile</c> (<see cref="SettingKeys"/>).</summary>
    public string Key { get; }
}
