using System.Text;

namespace Murmur.Mcp;

/// <summary>Splits a command line into words: spaces separate, <c>"…"</c> and <c>'…'</c> group, no other shell syntax.</summary>
internal static class CommandWords
{
    public static IReadOnlyList<string> Split(string line)
    {
        var words = new List<string>();
        var word = new StringBuilder();
        var inWord = false;
        char? quote = null;
        foreach (var c in line)
        {
            if (quote is { } q)
            {
                if (c == q)
                {
                    quote = null;
                }
                else
                {
                    word.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
                inWord = true;
            }
            else if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(word.ToString());
                    word.Clear();
                    inWord = false;
                }
            }
            else
            {
                word.Append(c);
                inWord = true;
            }
        }
        if (quote is not null)
        {
            throw new FormatException($"unterminated {quote} quote in '{line}'.");
        }
        if (inWord)
        {
            words.Add(word.ToString());
        }
        return words;
    }
}
