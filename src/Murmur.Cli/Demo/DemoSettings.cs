using Murmur.Topics;

namespace Murmur.Cli.Demo;

/// <summary>The demo's options, parsed from the command line.</summary>
internal sealed record DemoSettings
{
    public required string Root { get; init; }

    public string Out { get; init; } = "murmur-out";

    public IReadOnlyList<Consistency> Modes { get; init; } = [Consistency.Eventual, Consistency.Strict];

    /// <summary>Modelled latency of one reasoning step of the scripted engine.</summary>
    public TimeSpan Think { get; init; } = TimeSpan.FromMilliseconds(40);

    public int Seed { get; init; } = 7;

    public bool Quiet { get; init; }

    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>A model for the reviewer (provider:model), or null for the scripted rules.</summary>
    public string? Model { get; init; }

    /// <summary>The model's endpoint, for openai/ollama.</summary>
    public string? Endpoint { get; init; }

    /// <summary>Measured runs per mode (the summary shows their median).</summary>
    public int Runs { get; init; } = 1;
}
