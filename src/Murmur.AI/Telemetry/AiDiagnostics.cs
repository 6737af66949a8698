using System.Diagnostics;
using System.Diagnostics.Metrics;
using Murmur.Diagnostics;

namespace Murmur.AI.Telemetry;

/// <summary>
/// The OpenTelemetry semantic conventions for generative AI (<c>gen_ai.*</c>) on Murmur's activity source and meter
/// (<see cref="MurmurDiagnostics.Source"/>, <see cref="MurmurDiagnostics.Meter"/>): <c>invoke_agent</c>, <c>chat</c> and
/// <c>execute_tool</c> spans, tool and model metrics. Murmur's own attributes (<c>murmur.*</c>) stay on these spans,
/// so a query by agent or topic finds them too.
/// </summary>
public static class AiDiagnostics
{
    private static ActivitySource Source => MurmurDiagnostics.Source;

    private static readonly Counter<long> ToolCalls = MurmurDiagnostics.Meter.CreateCounter<long>("murmur.tool.calls", "{call}", "Tool calls, tagged with their locality.");
    private static readonly Histogram<double> ToolDuration = MurmurDiagnostics.Meter.CreateHistogram<double>("murmur.tool.duration", "us", "Running time of a tool call.");
    private static readonly Histogram<double> ModelDuration = MurmurDiagnostics.Meter.CreateHistogram<double>("murmur.model.duration", "ms", "Duration of a model (IChatClient) call.");
    private static readonly Histogram<long> ModelTokens = MurmurDiagnostics.Meter.CreateHistogram<long>("murmur.model.tokens", "{token}", "Tokens of a model call, tagged murmur.token.type = input | output.");

    /// <summary>The environment variable the GenAI conventions name for capturing message contents (<c>true</c> turns it on).</summary>
    public const string CaptureContentVariable = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT";

    /// <summary>
    /// Whether spans carry message contents: the model's input and output messages, tool arguments and results
    /// (<c>gen_ai.input.messages</c>, <c>gen_ai.output.messages</c>, <c>gen_ai.tool.call.arguments</c>,
    /// <c>gen_ai.tool.call.result</c>). They can hold secrets and personal data, so this is opt-in.
    /// </summary>
    /// <value>True when the environment variable <see cref="CaptureContentVariable"/> is <c>true</c> at start; false otherwise.</value>
    public static bool CaptureMessageContent { get; set; } =
        string.Equals(Environment.GetEnvironmentVariable(CaptureContentVariable), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Starts an <c>invoke_agent {name}</c> span (kind Internal: the agent runs in this process) around one task or run
    /// of an agent, child of the current activity (the turn that handles the events that started it).
    /// </summary>
    /// <param name="agentId">The agent's id (the events' <c>actor</c>): <c>gen_ai.agent.id</c>.</param>
    /// <param name="agentName">Its human-readable name: <c>gen_ai.agent.name</c>.</param>
    /// <param name="topic">The topic it works in: <c>gen_ai.conversation.id</c>.</param>
    /// <param name="providerName">The model provider when known (<c>gen_ai.provider.name</c>).</param>
    /// <param name="model">The model when known (<c>gen_ai.request.model</c>).</param>
    /// <returns>The span, or null when nobody listens.</returns>
    public static Activity? StartInvokeAgent(string agentId, string agentName, string topic, string? providerName = null, string? model = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var activity = Source.StartActivity("invoke_agent " + agentName, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAi.OperationName, "invoke_agent").SetTag(GenAi.AgentId, agentId).SetTag(GenAi.AgentName, agentName)
                .SetTag(GenAi.ConversationId, topic).SetTag(MurmurDiagnostics.Tags.Actor, agentId).SetTag(MurmurDiagnostics.Tags.Topic, topic);
            if (providerName is not null)
            {
                activity.SetTag(GenAi.ProviderName, providerName);
            }
            if (model is not null)
            {
                activity.SetTag(GenAi.RequestModel, model);
            }
        }
        return activity;
    }

    /// <summary>Marks a GenAI span failed: status Error and <c>error.type</c> (an exception's type name or a short reason code).</summary>
    public static void SetError(Activity? activity, string errorType)
    {
        if (activity is not null)
        {
            activity.SetStatus(ActivityStatusCode.Error);
            activity.SetTag(GenAi.ErrorType, errorType);
        }
    }

    /// <summary>A <c>chat {model}</c> span (kind Client) around one model call.</summary>
    internal static Activity? StartChat(string actor, string topic, string? providerName, string? model)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var activity = Source.StartActivity(model is null ? "chat" : "chat " + model, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAi.OperationName, "chat").SetTag(GenAi.ProviderName, providerName ?? "unknown").SetTag(GenAi.ConversationId, topic)
                .SetTag(GenAi.AgentId, actor).SetTag(MurmurDiagnostics.Tags.Actor, actor).SetTag(MurmurDiagnostics.Tags.Topic, topic);
            if (model is not null)
            {
                activity.SetTag(GenAi.RequestModel, model);
            }
        }
        return activity;
    }

    /// <summary>Adds what the model answered to a chat span: its model, finish reason and (opted in) the output messages.</summary>
    internal static void ChatAnswered(Activity? activity, string? responseModel, string? finishReason, Func<string>? outputMessages)
    {
        if (activity is not { IsAllDataRequested: true })
        {
            return;
        }
        if (responseModel is not null)
        {
            activity.SetTag(GenAi.ResponseModel, responseModel);
        }
        if (finishReason is not null)
        {
            activity.SetTag(GenAi.ResponseFinishReasons, new[] { finishReason });
        }
        if (CaptureMessageContent && outputMessages is not null)
        {
            activity.SetTag(GenAi.OutputMessages, outputMessages());
        }
    }

    /// <summary>Adds the model's input messages to a chat span, when contents are opted in.</summary>
    internal static void ChatInput(Activity? activity, Func<string> inputMessages)
    {
        if (CaptureMessageContent && activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAi.InputMessages, inputMessages());
        }
    }

    /// <summary>Adds a tool call's arguments and result (or error text) to an execute_tool span, when contents are opted in.</summary>
    internal static void ToolContent(Activity? activity, Func<string> arguments, Func<string?> result)
    {
        if (CaptureMessageContent && activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAi.ToolCallArguments, arguments());
            if (result() is { } text)
            {
                activity.SetTag(GenAi.ToolCallResult, text);
            }
        }
    }

    /// <summary>Attribute names of the OpenTelemetry semantic conventions for generative AI that Murmur's spans carry.</summary>
    public static class GenAi
    {
        /// <summary><c>invoke_agent</c>, <c>chat</c> or <c>execute_tool</c>.</summary>
        public const string OperationName = "gen_ai.operation.name";

        /// <summary>The agent's id (Murmur's actor).</summary>
        public const string AgentId = "gen_ai.agent.id";

        /// <summary>The agent's name.</summary>
        public const string AgentName = "gen_ai.agent.name";

        /// <summary>The conversation: Murmur's topic.</summary>
        public const string ConversationId = "gen_ai.conversation.id";

        /// <summary>The model provider, e.g. <c>openai</c>, <c>ollama</c>, <c>murmur.scripted</c>.</summary>
        public const string ProviderName = "gen_ai.provider.name";

        /// <summary>The model asked for.</summary>
        public const string RequestModel = "gen_ai.request.model";

        /// <summary>The model that answered.</summary>
        public const string ResponseModel = "gen_ai.response.model";

        /// <summary>Why the model stopped (an array of one).</summary>
        public const string ResponseFinishReasons = "gen_ai.response.finish_reasons";

        /// <summary>Input tokens the provider reported.</summary>
        public const string UsageInputTokens = "gen_ai.usage.input_tokens";

        /// <summary>Output tokens the provider reported.</summary>
        public const string UsageOutputTokens = "gen_ai.usage.output_tokens";

        /// <summary>The tool's name.</summary>
        public const string ToolName = "gen_ai.tool.name";

        /// <summary>The call's id: the <c>event_id</c> of its <c>TOOL_CALL</c>.</summary>
        public const string ToolCallId = "gen_ai.tool.call.id";

        /// <summary>The kind of tool: <c>function</c>.</summary>
        public const string ToolType = "gen_ai.tool.type";

        /// <summary>Opt-in: the tool call's arguments as JSON.</summary>
        public const string ToolCallArguments = "gen_ai.tool.call.arguments";

        /// <summary>Opt-in: the tool call's result as JSON (or its error text).</summary>
        public const string ToolCallResult = "gen_ai.tool.call.result";

        /// <summary>Opt-in: the messages sent to the model, as JSON.</summary>
        public const string InputMessages = "gen_ai.input.messages";

        /// <summary>Opt-in: the messages the model answered, as JSON.</summary>
        public const string OutputMessages = "gen_ai.output.messages";

        /// <summary>Why an operation failed: an exception's type name or a short code.</summary>
        public const string ErrorType = "error.type";
    }

    /// <summary>
    /// An <c>execute_tool {name}</c> span (GenAI conventions), child of the current activity (the agent's turn or task):
    /// <c>gen_ai.operation.name</c>, <c>gen_ai.tool.name</c>, <c>gen_ai.tool.call.id</c>, <c>gen_ai.tool.type</c>, and Murmur's
    /// <c>murmur.actor</c>, <c>murmur.tool</c>, <c>locality</c>.
    /// </summary>
    internal static Activity? StartTool(string actor, string tool, string locality, string? callId = null, string? topic = null)
    {
        if (!Source.HasListeners())
        {
            return null;
        }
        var activity = Source.StartActivity("execute_tool " + tool, ActivityKind.Internal);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag(GenAi.OperationName, "execute_tool").SetTag(GenAi.ToolName, tool).SetTag(GenAi.ToolType, "function")
                .SetTag(MurmurDiagnostics.Tags.Actor, actor).SetTag(MurmurDiagnostics.Tags.Tool, tool).SetTag(MurmurDiagnostics.Tags.Locality, locality);
            if (callId is not null)
            {
                activity.SetTag(GenAi.ToolCallId, callId);
            }
            if (topic is not null)
            {
                activity.SetTag(GenAi.ConversationId, topic);
            }
        }
        return activity;
    }

    /// <summary>Counts a tool call and records its duration in microseconds, tagged with its locality; a failure sets <c>error.type</c>.</summary>
    internal static void ToolEnded(Activity? activity, string locality, TimeSpan elapsed, string? error, string? errorType = null)
    {
        var tag = new KeyValuePair<string, object?>(MurmurDiagnostics.Tags.Locality, locality);
        ToolCalls.Add(1, tag);
        ToolDuration.Record(elapsed.TotalMicroseconds, tag);
        if (activity is not null && error is not null)
        {
            SetError(activity, errorType ?? "murmur.tool_error"); // the tool's text only with CaptureMessageContent
        }
    }

    /// <summary>Records a model call's duration and, when the provider reported usage, its tokens.</summary>
    internal static void ModelEnded(Activity? activity, TimeSpan elapsed, long? inputTokens, long? outputTokens)
    {
        ModelDuration.Record(elapsed.TotalMilliseconds);
        if (inputTokens is { } input)
        {
            ModelTokens.Record(input, new KeyValuePair<string, object?>(MurmurDiagnostics.Tags.TokenType, "input"));
            activity?.SetTag(GenAi.UsageInputTokens, input);
        }
        if (outputTokens is { } output)
        {
            ModelTokens.Record(output, new KeyValuePair<string, object?>(MurmurDiagnostics.Tags.TokenType, "output"));
            activity?.SetTag(GenAi.UsageOutputTokens, output);
        }
    }
}
