using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Murmur.AI.Approvals;
using Murmur.Logs;

namespace Murmur.Cli.Dashboard;

/// <summary>
/// <c>murmur dashboard</c>'s web server: one self-contained page (no CDN) and a Server-Sent Events stream of the
/// approvals that wait, the fleet's nodes, the followed topics (announced tasks and <c>--topic</c> ones) and their dead
/// letters; <c>/topics/NAME/diagram</c> draws a topic's latest events, which the page fetches again when the stream says
/// the topic moved. With <c>--allow-approvals</c> the page's Approve/Deny buttons decide as the dashboard's principal.
/// </summary>
/// <remarks>
/// Binds to loopback unless told otherwise. Decisions are POSTs that must carry the header <c>X-Murmur-Dashboard</c>:
/// a page of another origin cannot send it without a CORS preflight, which this server never answers.
/// </remarks>
internal sealed class DashboardServer : IAsyncDisposable
{
    private const string Header = "X-Murmur-Dashboard";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>The shortest gap between two snapshots sent because topics moved: a busy topic does not flood the page.</summary>
    private static readonly TimeSpan TopicGap = TimeSpan.FromMilliseconds(100);
    private readonly WebApplication _app;
    private readonly ApprovalDesk _desk;
    private readonly MeshWatch _watch;

    private DashboardServer(WebApplication app, ApprovalDesk desk, MeshWatch watch, Uri address)
    {
        _app = app;
        _desk = desk;
        _watch = watch;
        Address = address;
    }

    /// <summary>The page's address.</summary>
    public Uri Address { get; }

    public static async Task<DashboardServer> StartAsync(IEventLog log, DashboardOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.DiagramEvents, 1);
        var desk = await ApprovalDesk.StartAsync(log, options.Principal, signing: options.Signing, cancellationToken: cancellationToken);
        MeshWatch? watch = null;
        try
        {
            watch = await MeshWatch.StartAsync(log, options, cancellationToken);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k => k.Listen(options.Bind, options.Port));
            var app = builder.Build();
            var page = Page(options.AllowApprovals);
            app.MapGet("/", () => Results.Content(page, "text/html; charset=utf-8"));
            app.MapGet("/events", (HttpContext http) => StreamAsync(http, desk, watch, options));
            app.MapGet("/topics/{name}/diagram", (string name) => watch.Topics.Find(name) is { } topic
                ? Results.Json(TopicDiagram.Of(topic), Json)
                : Results.Text($"this dashboard does not follow a topic named '{name}'", statusCode: StatusCodes.Status404NotFound));
            app.MapPost("/approvals/{callId}/{verdict}", (HttpContext http, string callId, string verdict) => DecideAsync(http, desk, options.AllowApprovals, callId, verdict));
            await app.StartAsync(cancellationToken);
            var bound = app.Urls.Select(u => new Uri(u)).First();
            return new DashboardServer(app, desk, watch, new Uri($"http://{(options.Bind.Equals(IPAddress.Any) ? "127.0.0.1" : options.Bind.ToString())}:{bound.Port}/"));
        }
        catch
        {
            if (watch is not null)
            {
                await watch.DisposeAsync();
            }
            await desk.DisposeAsync();
            throw;
        }
    }

    private static string Page(bool allowApprovals)
        // The diagram's style is murmur trace's own, so both draw the same; the page's style comes after it.
        => Resource("Murmur.Cli.Dashboard.dashboard.html")
            .Replace("{{TRACE_CSS}}", Resource("Murmur.Cli.Trace.trace.css"), StringComparison.Ordinal)
            .Replace("{{ALLOW}}", allowApprovals ? "true" : "false", StringComparison.Ordinal);

    private static string Resource(string name)
    {
        using var stream = typeof(DashboardServer).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"the dashboard's resource '{name}' is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>
    /// Sends a snapshot now, after every change of the approvals topic or of a followed topic (at most one per
    /// <see cref="TopicGap"/> for those), and every <see cref="DashboardOptions.Refresh"/> (the nodes' phi moves with
    /// time), until the browser goes away.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, ApprovalDesk desk, MeshWatch watch, DashboardOptions options)
    {
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        var seen = -1L;
        var topicsSeen = -1L;
        var ct = http.RequestAborted;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                seen = desk.Position;
                topicsSeen = watch.Topics.Changed.Version;
                var followed = watch.Topics.Topics.Select(t => t.Summary()).ToList();
                var snapshot = new
                {
                    allowApprovals = options.AllowApprovals,
                    principal = desk.Principal,
                    pending = desk.Pending.Select(r => new { callId = r.CallId, actor = r.Actor, topic = r.Topic, tool = r.Tool, args = r.Arguments.GetRawText(), reason = r.Reason, expiresAt = r.ExpiresAt }),
                    refused = desk.Refused,
                    fleetProblem = watch.FleetProblem,
                    nodes = watch.Nodes.Select(m => new
                    {
                        node = m.Announcement.Node,
                        state = m.State.ToString().ToLowerInvariant(),
                        phi = Math.Round(Math.Min(m.Phi, 999), 1),
                        incarnation = m.Announcement.Incarnation,
                        agents = m.Announcement.Agents.Select(a => a.Agent),
                    }),
                    topics = followed.Select(t => t.Name),
                    followed,
                    topicsProblem = watch.Topics.Problem,
                    deadLetters = watch.DeadLetters.Select(d => new { topic = d.Topic, position = d.Position, eventId = d.EventId, reason = d.Reason }),
                };
                await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(snapshot, Json)}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
                tick.CancelAfter(options.Refresh);
                var approvals = desk.WaitForChangeAsync(seen, tick.Token);
                var moved = watch.Topics.Changed.WaitForChangeAsync(topicsSeen, tick.Token);
                var woken = await Task.WhenAny(approvals, moved);
                await tick.CancelAsync();
                try
                {
                    await Task.WhenAll(approvals, moved);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // one wait ended the other, or the refresh interval passed without a change: send the nodes' state anyway
                }
                if (woken == moved && moved.IsCompletedSuccessfully)
                {
                    await Task.Delay(TopicGap, TimeProvider.System, ct);
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task<IResult> DecideAsync(HttpContext http, ApprovalDesk desk, bool allowApprovals, string callId, string verdict)
    {
        if (!allowApprovals)
        {
            return Results.Text("this dashboard is read-only: start it with --allow-approvals to decide", statusCode: StatusCodes.Status403Forbidden);
        }
        if (!http.Request.Headers.ContainsKey(Header))
        {
            return Results.Text($"decisions need the {Header} header (sent by the dashboard page)", statusCode: StatusCodes.Status403Forbidden);
        }
        var reason = http.Request.Query["reason"].FirstOrDefault();
        try
        {
            var decision = verdict switch
            {
                "approve" => await desk.ApproveAsync(callId, reason, http.RequestAborted),
                "deny" => await desk.DenyAsync(callId, string.IsNullOrWhiteSpace(reason) ? "denied from the dashboard" : reason, http.RequestAborted),
                _ => null,
            };
            return decision is null
                ? Results.Text($"unknown verdict '{verdict}': approve or deny", statusCode: StatusCodes.Status404NotFound)
                : Results.Json(new { callId, outcome = decision.Outcome.ToString(), principal = decision.Principal, reason = decision.Reason }, Json);
        }
        catch (InvalidOperationException ex)
        {
            return Results.Text(ex.Message, statusCode: StatusCodes.Status409Conflict);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _watch.DisposeAsync();
        await _desk.DisposeAsync();
    }
}
