using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Murmur.AI.Agents;

namespace Murmur.AI.Scripted;

/// <summary>
/// A deterministic reasoning engine that plays a <see cref="Script"/>: each call answers with the first step not
/// used up whose condition holds on the conversation. Every text it produces is prefixed <c>[scripted] </c>, so
/// what it drives is always labelled as scripted.
/// </summary>
/// <remarks>
/// When no step fits, it answers <c>[scripted] (no script step matches this turn)</c>, which ends an agent's task.
/// Tool call ids are <c>call_{step}_{n}</c>. Usage is reported as characters / 4, so token budgets can be tested.
/// Thread-safe.
/// </remarks>
public sealed class ScriptedChatClient : IChatClient
{
    private readonly Lock _gate = new();
    private readonly bool[] _used;
    private int _calls;

    /// <summary>Creates an engine for a parsed script.</summary>
    public ScriptedChatClient(Script script)
    {
        ArgumentNullException.ThrowIfNull(script);
        Script = script;
        _used = new bool[script.Steps.Count];
    }

    /// <summary>The script.</summary>
    public Script Script { get; }

    /// <summary>How many responses were produced.</summary>
    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Creates an engine from script JSON.</summary>
    /// <exception cref="ScriptException">The script is malformed.</exception>
    public static ScriptedChatClient FromJson(string json) => new(Script.Parse(json));

    /// <summary>Creates an engine from a script file.</summary>
    /// <exception cref="ScriptException">The script is malformed.</exception>
    public static ScriptedChatClient FromFile(string path) => new(Script.Load(path));

    /// <inheritdoc/>
    public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(messages);
        cancellationToken.ThrowIfCancellationRequested();
        var history = messages as IReadOnlyList<ChatMessage> ?? [.. messages];
        var message = Play(history);
        var input = history.Sum(m => m.Text.Length) / 4;
        var output = message.Text.Length / 4 + 1;
        var response = new ChatResponse(message)
        {
            ModelId = "scripted",
            FinishReason = message.Contents.OfType<FunctionCallContent>().Any() ? ChatFinishReason.ToolCalls : ChatFinishReason.Stop,
            Usage = new UsageDetails { InputTokenCount = input, OutputTokenCount = output, TotalTokenCount = input + output },
        };
        return Task.FromResult(response);
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var response = await GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        var message = response.Messages[0];
        var id = message.MessageId;
        // Text first, word by word as a provider would stream it, then the tool calls in one update.
        var text = message.Text;
        var start = 0;
        while (start < text.Length)
        {
            var space = text.IndexOf(' ', start);
            var end = space < 0 ? text.Length : space + 1;
            yield return new ChatResponseUpdate(ChatRole.Assistant, text[start..end]) { MessageId = id, ModelId = "scripted" };
            start = end;
        }
        var rest = message.Contents.Where(c => c is not TextContent).ToList();
        yield return new ChatResponseUpdate(ChatRole.Assistant, rest)
        {
            MessageId = id,
            ModelId = "scripted",
            FinishReason = response.FinishReason,
            AdditionalProperties = message.AdditionalProperties,
        };
    }

    /// <inheritdoc/>
    public object? GetService(Type serviceType, object? serviceKey = null)
        => serviceKey is null && serviceType?.IsInstanceOfType(this) == true ? this
        : serviceType == typeof(ChatClientMetadata) ? new ChatClientMetadata("scripted", null, "scripted") : null;

    /// <inheritdoc/>
    public void Dispose()
    {
    }

    private ChatMessage Play(IReadOnlyList<ChatMessage> history)
    {
        lock (_gate)
        {
            var n = ++_calls;
            foreach (var step in Script.Steps)
            {
                if (_used[step.Number - 1] || !Holds(step.When, history))
                {
                    continue;
                }
                _used[step.Number - 1] = !step.Repeat;
                var contents = new List<AIContent>();
                if (step.Text is not null)
                {
                    contents.Add(new TextContent(LlmConventions.ScriptedLabel + step.Text));
                }
                var k = 0;
                foreach (var call in step.ToolCalls)
                {
                    var args = call.Args.EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
                    contents.Add(new FunctionCallContent($"call_{step.Number}_{n}_{k++}", call.Tool, args));
                }
                var message = new ChatMessage(ChatRole.Assistant, contents) { MessageId = $"scripted_{n}" };
                if (step.Publish.Count > 0)
                {
                    message.AdditionalProperties = new() { [LlmConventions.PublishKey] = step.Publish };
                }
                return message;
            }
            return new ChatMessage(ChatRole.Assistant, LlmConventions.ScriptedLabel + "(no script step matches this turn)") { MessageId = $"scripted_{n}" };
        }
    }

    private static bool Holds(ScriptCondition? when, IReadOnlyList<ChatMessage> history)
    {
        if (when is null)
        {
            return true;
        }
        if (when.SeenAction is { } action && !history.Any(m => SeenAction(m, action)))
        {
            return false;
        }
        if (when.ToolResultContains is { } needle && !history.Any(m => m.Contents.OfType<FunctionResultContent>().Any(r => ResultText(r).Contains(needle, StringComparison.Ordinal))))
        {
            return false;
        }
        return when.MessageContains is not { } text || history.Any(m => m.Role == ChatRole.User && m.Text.Contains(text, StringComparison.Ordinal));
    }

    private static bool SeenAction(ChatMessage message, string action)
        => message.AdditionalProperties?.TryGetValue(LlmConventions.ActionKey, out var value) == true && value is string s && string.Equals(s, action, StringComparison.Ordinal);

    private static string ResultText(FunctionResultContent result) => result.Result switch
    {
        null => string.Empty,
        string s => s,
        JsonElement e => e.GetRawText(),
        var other => JsonSerializer.Serialize(other, AIJsonUtilities.DefaultOptions),
    };
}
