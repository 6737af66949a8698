using System.CommandLine;
using Murmur.AI.Agents;
using Murmur.AI.Providers;
using Murmur.AI.Tools;
using Murmur.Cli.Demo;
using Murmur.Cli.Scenarios;
using Murmur.Events;
using Murmur.Mcp;
using Murmur.Topics;

namespace Murmur.Cli.Commands;

/// <summary><c>murmur run SCENARIO.yaml</c>: runs user-defined, model-driven agents on one topic (embedded log).</summary>
internal sealed class RunCommand : ICommand
{
    public Command Build()
    {
        var file = new Argument<string>("SCENARIO.yaml") { Description = "the scenario file" }.RefusingOptions();
        var output = new Option<string>("--out") { HelpName = "DIR", Description = "where run.jsonl and run.html go", DefaultValueFactory = _ => "murmur-out" };
        var quiet = new Option<bool>("--quiet") { Description = "print only the summary, not every event" };
        var command = new MurmurCommand("run", "run the agents of a scenario file (model or script, tools, budgets) on one topic") { Details = """
                Runs the scenario's agents (LlmAgent with the model or script each names, the tools it may call, and
                its budgets) on one topic of the embedded in-memory log, prints their events as they happen, and
                writes DIR/run.jsonl and DIR/run.html (its space-time diagram). The file is validated first; an error
                names the line and column, the field and the rule. Scripted models are labelled [scripted].

                scenario format:
                  topic: fix-auth-token
                  mode: eventual                      # eventual | strict
                  root: .                             # the tools' root, relative to the scenario file
                  timeout_seconds: 120
                  mcp:                                # optional: MCP servers, NAME: COMMAND (run in the file's folder) or URL
                    fs: npx -y @modelcontextprotocol/server-filesystem .
                  agents:
                    - id: Researcher_Agent_1
                      model: scripted:researcher.json # scripted:FILE | openai:MODEL | ollama:MODEL
                      endpoint: http://localhost:11434 # optional (openai/ollama); OpenAI keys come from OPENAI_API_KEY
                      goal: Find auth_token leaks
                      tools: [grep_search, read_file]   # built-in tools and tools of the mcp servers
                      budget: { iterations: 15, tokens: 20000, seconds: 120 }

                exit codes: 0 every agent completed its task, 1 an agent did not finish in time, 2 usage or scenario error.
                """ };
        command.Arguments.Add(file);
        command.Options.Add(output);
        command.Options.Add(quiet);
        command.SetRun((parse, stdout, stderr) => Run(parse.GetValue(file)!, parse.GetValue(output)!, parse.GetValue(quiet), stdout, stderr));
        return command;
    }

    private static int Run(string file, string output, bool quiet, TextWriter stdout, TextWriter stderr)
    {
        Scenario scenario;
        try
        {
            scenario = ScenarioParser.Parse(file);
        }
        catch (ScenarioException ex)
        {
            stderr.WriteLine($"murmur run: {ex.Message}");
            return ExitCodes.Usage;
        }
        return RunAsync(scenario, output, quiet, stdout, stderr).GetAwaiter().GetResult();
    }

    private static async Task<int> RunAsync(Scenario scenario, string output, bool quiet, TextWriter stdout, TextWriter stderr)
    {
        await using var node = await MurmurNode.StartAsync(o => o.UseInMemoryLog());
        var tools = node.Tools();
        foreach (var tool in BuiltInTools.All(scenario.Root))
        {
            tools.Add(tool);
        }
        foreach (var spec in scenario.Mcp ?? [])
        {
            try
            {
                var source = await node.AttachMcpServerAsync(spec);
                stdout.WriteLine($"mcp {spec.Name}: {source.ServerInfo}, tools: {string.Join(", ", source.Tools.Select(t => t.Name))}");
            }
            catch (Exception ex) when (ex is McpToolException or InvalidOperationException)
            {
                stderr.WriteLine($"murmur run: mcp.{spec.Name}: {ex.Message}");
                return ExitCodes.Failed;
            }
        }
        foreach (var agent in scenario.Agents)
        {
            if (agent.Tools.FirstOrDefault(t => !tools.TryGet(t, out _)) is { } unknown)
            {
                stderr.WriteLine($"murmur run: agent {agent.Id}: unknown tool '{unknown}'; known: {string.Join(", ", tools.All.Select(t => t.Name))}.");
                return ExitCodes.Usage;
            }
        }
        var topic = await node.OpenTopicAsync(scenario.Topic, scenario.Mode, new TopicOptions { MinMembers = scenario.Agents.Count });
        using var printer = quiet ? null : new EventPrinter(scenario.Mode == Consistency.Strict ? "strict" : "eventual", stdout);
        printer?.Watch(topic);
        foreach (var agent in scenario.Agents)
        {
            Microsoft.Extensions.AI.IChatClient model;
            try
            {
                model = ChatClientFactory.Create(agent.Model, agent.Endpoint, null);
            }
            catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or IOException)
            {
                stderr.WriteLine($"murmur run: agent {agent.Id}: {ex.Message}");
                return ExitCodes.Usage;
            }
            if (agent.Model.StartsWith("scripted:", StringComparison.Ordinal))
            {
                stdout.WriteLine($"{agent.Id}: [scripted] reasoning from {agent.Model["scripted:".Length..]}");
            }
            else
            {
                // One probe first: a wrong endpoint, key or model is one clear line now, not a budget timeout later.
                try
                {
                    var check = await ModelCheck.CheckAsync(agent.Model, agent.Endpoint);
                    stdout.WriteLine($"{agent.Id}: model {check!.Model} at {check.Endpoint} answered in {check.Latency.TotalMilliseconds:0} ms");
                }
                catch (ModelEndpointException ex)
                {
                    stderr.WriteLine($"murmur run: agent {agent.Id}: {ex.Message}");
                    return ExitCodes.Failed;
                }
            }
            var options = new LlmAgentOptions
            {
                Goal = agent.Goal,
                AllowedTools = agent.Tools,
                MaxIterations = agent.MaxIterations,
                MaxTokens = agent.MaxTokens,
                MaxWallTime = agent.MaxWallTime,
                Topic = scenario.Topic,
            };
            await node.SpawnAsync(agent.Id, () => new LlmAgent(model, tools, options), topic);
        }
        var ids = scenario.Agents.Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var exit = ExitCodes.Ok;
        try
        {
            await topic.WaitForEventAsync(_ => ids.All(id => topic.History.Any(e => e.Actor == id && e.Action == Actions.TaskComplete)))
                .WaitAsync(scenario.Timeout);
        }
        catch (TimeoutException)
        {
            var missing = ids.Where(id => !topic.History.Any(e => e.Actor == id && e.Action == Actions.TaskComplete));
            stderr.WriteLine($"murmur run: not done within {scenario.Timeout.TotalSeconds:0} s: {string.Join(", ", missing)} did not complete its task.");
            exit = ExitCodes.Failed;
        }
        printer?.Dispose();
        Directory.CreateDirectory(output);
        var log = Path.Combine(output, "run.jsonl");
        await File.WriteAllLinesAsync(log, topic.History.Select(e => e.ToString()));
        await File.WriteAllTextAsync(Path.Combine(output, "run.html"), Trace.HtmlPage.Render(Trace.TraceModel.Build(await File.ReadAllBytesAsync(log), null), $"murmur run — {scenario.Topic}"));
        stdout.WriteLine($"{topic.History.Count} events; wrote {log} and {Path.Combine(output, "run.html")}");
        return exit;
    }
}
