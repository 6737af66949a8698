using Microsoft.Extensions.Options;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Hosting;

/// <summary>Checks <see cref="MurmurHostOptions"/> and the registered agents when the host starts; every message names the option at fault.</summary>
internal sealed class MurmurHostOptionsValidator(MurmurRegistrations registrations) : IValidateOptions<MurmurHostOptions>
{
    private const string Section = MurmurHostOptions.SectionName;

    public ValidateOptionsResult Validate(string? name, MurmurHostOptions options)
    {
        var failures = new List<string>();
        if (options.NodeId is { } nodeId && string.IsNullOrWhiteSpace(nodeId))
        {
            failures.Add($"{Section}:NodeId must not be blank; omit it to use the machine name and process id.");
        }
        var modes = new Dictionary<string, Consistency>(StringComparer.Ordinal);
        var topics = options.Topics ?? [];
        for (var i = 0; i < topics.Count; i++)
        {
            var topic = topics[i];
            if (topic is null)
            {
                failures.Add($"{Section}:Topics:{i} is empty.");
                continue;
            }
            if (TopicName.Check(topic.Name) is { } reason)
            {
                failures.Add($"{Section}:Topics:{i}:Name '{topic.Name}' is not a valid topic name: {reason}.");
            }
            else if (!Enum.IsDefined(topic.Consistency))
            {
                failures.Add($"{Section}:Topics:{i}:Consistency must be Eventual or Strict.");
            }
            else if (!modes.TryAdd(topic.Name, topic.Consistency) && modes[topic.Name] != topic.Consistency)
            {
                failures.Add($"{Section}:Topics:{i}: topic '{topic.Name}' is listed twice, as {modes[topic.Name]} and as {topic.Consistency}.");
            }
        }
        foreach (var agent in registrations.Agents)
        {
            if (TopicName.Check(agent.Topic) is { } reason)
            {
                failures.Add($"AddAgent('{agent.Id}'): topic '{agent.Topic}' is not a valid topic name: {reason}.");
            }
            else if (agent.Consistency is { } wanted)
            {
                if (modes.TryGetValue(agent.Topic, out var listed) && listed != wanted)
                {
                    failures.Add($"AddAgent('{agent.Id}') wants topic '{agent.Topic}' as {wanted}, but {Section}:Topics (or another agent) has it as {listed}.");
                }
                else
                {
                    modes[agent.Topic] = wanted;
                }
            }
        }
        if (TopicName.Check(options.HealthProbeTopic) is { } probe)
        {
            failures.Add($"{Section}:HealthProbeTopic '{options.HealthProbeTopic}' is not a valid topic name: {probe}.");
        }
        if (options.HealthProbeTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{Section}:HealthProbeTimeout must be positive (got {options.HealthProbeTimeout}).");
        }
        if (options.TopicLagDegradedThreshold < 0)
        {
            failures.Add($"{Section}:TopicLagDegradedThreshold must not be negative (got {options.TopicLagDegradedThreshold}).");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
