using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.AI;

namespace RealModel;

/// <summary>Prints each model call as it ends: its latency, the tokens the endpoint reported, their cost, and what the model asked for.</summary>
internal sealed class IterationMeter(IChatClient inner, TextWriter output, decimal pricePerMillionIn, decimal pricePerMillionOut) : DelegatingChatClient(inner)
{
    private int _iteration;

    public long InputTokens { get; private set; }

    public long OutputTokens { get; private set; }

    public TimeSpan ModelTime { get; private set; }

    public decimal Cost => Price(InputTokens, OutputTokens);

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        var response = await base.GetResponseAsync(messages, options, cancellationToken);
        var elapsed = Stopwatch.GetElapsedTime(started);
        long input = response.Usage?.InputTokenCount ?? 0, outputTokens = response.Usage?.OutputTokenCount ?? 0;
        InputTokens += input;
        OutputTokens += outputTokens;
        ModelTime += elapsed;
        var calls = response.Messages.SelectMany(m => m.Contents).OfType<FunctionCallContent>().Select(c => c.Name).ToList();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"iteration {++_iteration}: {elapsed.TotalMilliseconds:0} ms, {input} in / {outputTokens} out tokens, ${Price(input, outputTokens):0.000000} — {(calls.Count > 0 ? "calls " + string.Join(", ", calls) : "answers")}"));
        return response;
    }

    private decimal Price(long input, long outputTokens) => ((input * pricePerMillionIn) + (outputTokens * pricePerMillionOut)) / 1_000_000m;
}
