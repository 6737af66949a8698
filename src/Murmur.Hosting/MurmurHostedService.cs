using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Murmur.Configuration;
using Murmur.Logs;
using Murmur.Topics;

namespace Murmur.Hosting;

/// <summary>
/// Runs the node with the host: on start it starts the node, opens the topics and spawns the registered agents;
/// on stop it stops handing out the node, then disposes it (agents stop children-first, then the topic readers
/// and the log) within the host's shutdown timeout.
/// </summary>
/// <remarks>Registered by <c>AddMurmur</c>; the host calls it, one call at a time.</remarks>
public sealed class MurmurHostedService : IHostedService
{
    private readonly IServiceProvider _services;
    private readonly MurmurRegistrations _registrations;
    private readonly IOptions<MurmurHostOptions> _options;
    private readonly MurmurNodeAccessor _accessor;
    private readonly ILogger _logger;

    internal MurmurHostedService(IServiceProvider services, MurmurRegistrations registrations, IOptions<MurmurHostOptions> options, MurmurNodeAccessor accessor)
    {
        _services = services;
        _registrations = registrations;
        _options = options;
        _accessor = accessor;
        _logger = (services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger("Murmur.Hosting");
    }

    /// <summary>
    /// Starts the node — with the log, transport security and signing keys of the configuration section <c>Murmur</c>
    /// (<see cref="MurmurNodeSettings"/>), then the <c>ConfigureNode</c> steps, so a log chosen in code wins — opens
    /// the topics and spawns the agents (each start awaited). Logs once what the node leaves open.
    /// </summary>
    /// <exception cref="OptionsValidationException">The options are invalid; the message names the option.</exception>
    /// <exception cref="MurmurSettingsException">A log or signing setting is wrong or names a missing file; the message names the key.</exception>
    /// <exception cref="EventLogException">The log cannot be reached.</exception>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var options = _options.Value;
        var loggerFactory = _services.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance;
        var time = _services.GetService<TimeProvider>() ?? TimeProvider.System;
        var setup = MurmurNodeSettings.From(_services.GetService<IConfiguration>() ?? new ConfigurationBuilder().Build()).Resolve();
        var configuredLogUsed = false;
        var node = await MurmurNode.StartAsync(builder =>
        {
            builder.Configure(o => o with
            {
                NodeId = options.NodeId ?? setup.NodeId ?? o.NodeId,
                Signing = setup.Signing,
                EventIdSeed = options.EventIdSeed ?? o.EventIdSeed,
                Runtime = o.Runtime with { LoggerFactory = loggerFactory, TimeProvider = time },
            });
            if (setup.HasLog)
            {
                builder.UseLog(async ct =>
                {
                    configuredLogUsed = true;
                    return await setup.ConnectAsync(loggerFactory, ct).ConfigureAwait(false);
                }, ownsLog: true);
            }
            foreach (var step in _registrations.NodeSteps)
            {
                step(_services, builder);
            }
        }, cancellationToken).ConfigureAwait(false);
        ReportSecurity(node, setup, configuredLogUsed);
        try
        {
            foreach (var step in _registrations.StartedSteps)
            {
                await step(_services, node, cancellationToken).ConfigureAwait(false);
            }
            var topics = new Dictionary<string, Topic>(StringComparer.Ordinal);
            foreach (var listed in options.Topics)
            {
                topics[listed.Name] = await node.OpenTopicAsync(listed.Name, listed.Consistency, cancellationToken).ConfigureAwait(false);
            }
            foreach (var agent in _registrations.Agents)
            {
                if (!topics.TryGetValue(agent.Topic, out var topic))
                {
                    topic = await node.OpenTopicAsync(agent.Topic, agent.Consistency ?? Consistency.Eventual, cancellationToken).ConfigureAwait(false);
                    topics[agent.Topic] = topic;
                }
                var factory = agent.Factory;
                await node.SpawnAsync(agent.Id, () => factory(_services), topic, agent.Options, cancellationToken).ConfigureAwait(false);
            }
            _accessor.Set(node, topics);
            HostingLogMessages.Started(_logger, node.NodeId, topics.Count, _registrations.Agents.Count);
        }
        catch
        {
            await node.DisposeAsync().ConfigureAwait(false);
            await RunStoppingStepsAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task RunStoppingStepsAsync()
    {
        for (var i = _registrations.StoppingSteps.Count - 1; i >= 0; i--)
        {
            await _registrations.StoppingSteps[i](_services).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Says once what the node leaves open. An in-process log needs no protection; transport warnings concern only
    /// the configured log, and the signing warning only a node that code did not give keys either.
    /// </summary>
    private void ReportSecurity(MurmurNode node, NodeSetup setup, bool configuredLogUsed)
    {
        if (configuredLogUsed)
        {
            HostingLogMessages.Configured(_logger, node.NodeId, setup.Describe());
        }
        if (node.Log is InMemoryEventLog)
        {
            return;
        }
        foreach (var warning in setup.Warnings)
        {
            var applies = warning.Kind switch
            {
                SecurityWarningKind.Unsigned => node.Options.Signing is null,
                SecurityWarningKind.Unauthenticated or SecurityWarningKind.Unencrypted => configuredLogUsed,
                _ => true,
            };
            if (applies)
            {
                HostingLogMessages.Open(_logger, node.NodeId, warning.Message, warning.Fix);
            }
        }
    }

    /// <summary>Stops handing out the node and disposes it; returns when it stopped or when <paramref name="cancellationToken"/> (the host's shutdown timeout) fires.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (_accessor.Clear() is not { } node)
        {
            return;
        }
        HostingLogMessages.Stopping(_logger, node.NodeId);
        try
        {
            await node.DisposeAsync().AsTask().WaitAsync(cancellationToken).ConfigureAwait(false);
            await RunStoppingStepsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            HostingLogMessages.Stopped(_logger, node.NodeId);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // .NET cannot abort running handlers; the disposal goes on in the background, as a killed child does.
            HostingLogMessages.StopTimedOut(_logger, node.NodeId);
        }
    }
}
