using System.Runtime.InteropServices;

namespace Murmur.AI.Tests.Support;

internal static partial class HardLink
{
    public static void Create(string link, string existing)
    {
        if (Link(existing, link) != 0)
        {
            throw new IOException($"link({existing}, {link}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    [LibraryImport("libc", EntryPoint = "link", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Link(string oldPath, string newPath);
}
