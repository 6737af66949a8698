using System.Text;

namespace Murmur.Cli.Tests.Mesh;

/// <summary>A writer that keeps what is written, line by line, and lets a test wait for a line it expects.</summary>
internal sealed class LineWriter : TextWriter
{
    private readonly StringBuilder _current = new();
    private readonly List<string> _lines = [];
    private readonly List<(Func<string, bool> Match, TaskCompletionSource<string> Found)> _waiters = [];

    public override Encoding Encoding => Encoding.UTF8;

    public override string ToString()
    {
        lock (_lines)
        {
            return string.Join('\n', _lines);
        }
    }

    public override void Write(char value)
    {
        lock (_lines)
        {
            if (value == '\r')
            {
                return;
            }
            if (value != '\n')
            {
                _current.Append(value);
                return;
            }
            var line = _current.ToString();
            _current.Clear();
            _lines.Add(line);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    /// <summary>The first line (written already, or later) that contains <paramref name="text"/>; times out naming what was written.</summary>
    public async Task<string> WaitForAsync(string text, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool Match(string line) => line.Contains(text, StringComparison.Ordinal);
        lock (_lines)
        {
            if (_lines.Find(Match) is { } line)
            {
                return line;
            }
            _waiters.Add((Match, found));
        }
        try
        {
            return await found.Task.WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"no line with '{text}' within {timeout.TotalSeconds:0} s; written:\n{this}");
        }
    }
}
