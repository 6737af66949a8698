using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Hosting;

/// <summary>A topic listed in <see cref="MurmurHostOptions.Topics"/>.</summary>
public sealed class MurmurTopicOptions
{
    /// <summary>The topic's name (see <see cref="TopicName"/>).</summary>
    /// <value>Required.</value>
    public string Name { get; set; } = "";

    /// <summary>The topic's consistency mode.</summary>
    /// <value>Defaults to <see cref="Consistency.Eventual"/>.</value>
    public Consistency Consistency { get; set; } = Consistency.Eventual;
}
