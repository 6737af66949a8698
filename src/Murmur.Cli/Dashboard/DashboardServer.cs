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
/// approvals that wait, the fleet's nodes and the dead letters of the chosen topics; with <c>--allow-approvals</c> the
/// page's Approve/Deny buttons decide as the dashboard's principal.
/// </summary>
/// <remarks>
/// Binds to loopback unless told otherwise. Decisions are POSTs that must carry the header <c>X-Murmur-Dashboard</c>:
/// a page of another origin cannot send it without a CORS preflight, which this server never answers.
/// </remarks>
internal sealed class DashboardServer : IAsyncDisposable
{
    private const string Header = "X-Murmur-Dashboard";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
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
    {
        using var stream = typeof(DashboardServer).Assembly.GetManifestResourceStream("Murmur.Cli.Dashboard.dashboard.html")
            ?? throw new InvalidOperationException("the dashboard page is missing from the assembly");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Replace("{{ALLOW}}", allowApprovals ? "true" : "false", StringComparison.Ordinal);
    }

    /// <summary>
    /// Sends a snapshot now, after every change of the approvals topic, and every <see cref="DashboardOptions.Refresh"/>
    /// (the nodes' phi moves with time), until the browser goes away.
    /// </summary>
    private static async Task StreamAsync(HttpContext http, ApprovalDesk desk, MeshWatch watch, DashboardOptions options)
    {
        http.Response.Headers.ContentType = "text/event-stream";
        http.Response.Headers.CacheControl = "no-store";
        var seen = -1L;
        var ct = http.RequestAborted;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                seen = desk.Position;
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
                    topics = options.Topics,
                    deadLetters = watch.DeadLetters.Select(d => new { topic = d.Topic, position = d.Position, eventId = d.EventId, reason = d.Reason }),
                };
                await http.Response.WriteAsync($"data: {JsonSerializer.Serialize(snapshot, Json)}\n\n", ct);
                await http.Response.Body.FlushAsync(ct);
                using var tick = CancellationTokenSource.CreateLinkedTokenSource(ct);
                tick.CancelAfter(options.Refresh);
                try
                {
                    await desk.WaitForChangeAsync(seen, tick.Token);
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // the refresh interval passed without a change of the approvals: send the nodes' state anyway
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
