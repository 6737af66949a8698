using System.Net;
using Murmur.AI.Agents;
using Murmur.AI.Approvals;
using Murmur.AI.Events;
using Murmur.AI.Tests.Support;
using Murmur.AI.Tools;
using Murmur.Cli.Dashboard;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Topics;
using PuppeteerSharp;

namespace Murmur.Cli.Tests;

/// <summary>`murmur dashboard` in a real browser (Debian's chromium, driven by PuppeteerSharp): Approve runs the tool.</summary>
public sealed partial class DashboardTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly InMemoryEventLog _log = new();
    private readonly string _profile = Directory.CreateTempSubdirectory("murmur-dashboard-").FullName;
    private MurmurNode _node = null!;
    private ApprovalDesk _desk = null!;
    private Topic _topic = null!;
    private int _restarts;

    public async Task InitializeAsync()
    {
        _node = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(_log); o.Options = o.Options with { NodeId = "ops-node" }; });
        _desk = await _node.StartApprovalDeskAsync(new ApprovalOptions { Approvers = ["alice"] });
        _node.Tools().AddSideEffecting((string name) => $"restarted {name} ({Interlocked.Increment(ref _restarts)})", "restart_service");
        _topic = await _node.OpenTopicAsync("ops");
        await _node.SpawnAsync("Operator", () => new LlmAgent(new OneCallModel("restart_service", new() { ["name"] = "api" }), _node.Tools(), new LlmAgentOptions
        {
            Goal = "restart the api",
            AllowedTools = ["restart_service"],
            EnableReportFinding = false,
            RequireApproval = ["restart_service"],
            Approvals = _desk,
        }), _topic);
    }

    public async Task DisposeAsync()
    {
        await _node.DisposeAsync();
        await _desk.DisposeAsync();
        Directory.Delete(_profile, recursive: true);
    }

    private async Task<string> PendingCallAsync()
    {
        using var patience = new CancellationTokenSource(Patience);
        var requested = await _topic.WaitForEventAsync(e => e.Action == ApprovalActions.Requested, patience.Token);
        var callId = requested.GetPayload().GetProperty("call_id").GetString()!;
        await _desk.WaitForRequestAsync(callId, patience.Token);
        return callId;
    }

    private async Task<IBrowser> BrowserAsync()
    {
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: run ./test.sh (tests/chromium.sh installs Debian's chromium) or 'apt-get install -y chromium'.");
        return await Puppeteer.LaunchAsync(new LaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            UserDataDir = _profile,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
        });
    }

    [Fact]
    public async Task ClickingApprove_RunsTheWaitingToolOnce_AndThePageEmptiesLive()
    {
        var callId = await PendingCallAsync();
        await using var dashboard = await DashboardServer.StartAsync(_log, new DashboardOptions { Port = 0, AllowApprovals = true, Principal = "alice" });
        Assert.True(IPAddress.IsLoopback(IPAddress.Parse(dashboard.Address.Host)));
        await using var browser = await BrowserAsync();
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1100, Height = 420 });
        await page.GoToAsync(dashboard.Address.AbsoluteUri);

        var approve = await page.WaitForSelectorAsync($"button[data-approve='{callId}']", new WaitForSelectorOptions { Timeout = (int)Patience.TotalMilliseconds });
        var row = await page.EvaluateExpressionAsync<string>($"document.querySelector(\"tr[data-call-id='{callId}']\").innerText");
        Assert.Contains("Operator in ops", row, StringComparison.Ordinal);
        Assert.Contains("restart_service", row, StringComparison.Ordinal);
        Assert.Contains("{\"name\":\"api\"}", row, StringComparison.Ordinal);
        Assert.Equal(0, _restarts);
        await approve!.ClickAsync();
        await page.WaitForSelectorAsync("body[data-pending='0']", new WaitForSelectorOptions { Timeout = (int)Patience.TotalMilliseconds });
        using var patience = new CancellationTokenSource(Patience);
        var result = await _topic.WaitForEventAsync(e => e.Action == AiActions.ToolResult, patience.Token);

        Assert.Equal("restarted api (1)", result.GetPayload().GetProperty("result").GetString());
        Assert.Equal("alice", _desk.DecisionOf(callId)!.Principal);
        // The page's fetch answers after the decision is in the log, so the live update may come first: wait for both.
        await page.WaitForSelectorAsync("body[data-last-decision]", new WaitForSelectorOptions { Timeout = (int)Patience.TotalMilliseconds });
        Assert.Equal($"{callId}:200", await page.EvaluateExpressionAsync<string>("document.body.dataset.lastDecision"));
    }

    [Fact]
    public async Task AReadOnlyDashboard_ShowsTheCallWithoutButtons_AndRefusesDecisions()
    {
        var callId = await PendingCallAsync();
        await using var dashboard = await DashboardServer.StartAsync(_log, new DashboardOptions { Port = 0, Principal = "alice" });
        await using var browser = await BrowserAsync();
        await using var page = await browser.NewPageAsync();
        await page.GoToAsync(dashboard.Address.AbsoluteUri);

        await page.WaitForSelectorAsync($"tr[data-call-id='{callId}']", new WaitForSelectorOptions { Timeout = (int)Patience.TotalMilliseconds });
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#pending button').length"));
        using var http = new HttpClient();
        using var post = new HttpRequestMessage(HttpMethod.Post, new Uri(dashboard.Address, $"approvals/{callId}/approve"));
        post.Headers.Add("X-Murmur-Dashboard", "1");
        using var refused = await http.SendAsync(post);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("read-only", await refused.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Null(_desk.DecisionOf(callId));
        Assert.Equal(0, _restarts);
    }

    [Fact]
    public async Task ThePage_ListsTheFleetsNodes_AndAWatchedTopicsDeadLetters_Live()
    {
        await using var worker = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(_log); o.Options = o.Options with { NodeId = "worker-1" }; });
        await using var fleet = await MurmurFleet.StartAsync(worker);
        await using var dashboard = await DashboardServer.StartAsync(_log, new DashboardOptions { Port = 0, Principal = "alice", Topics = ["ops"] });
        await using var browser = await BrowserAsync();
        await using var page = await browser.NewPageAsync();
        await page.GoToAsync(dashboard.Address.AbsoluteUri);

        await page.WaitForSelectorAsync("tr[data-node='worker-1'][data-state='alive']", new WaitForSelectorOptions { Timeout = (int)Patience.TotalMilliseconds });
        await page.WaitForSelectorAsync("#no-dead-letters:not([hidden])", new WaitForSelectorOptions { Timeout = (int)Patience.TotalMilliseconds });
        Assert.Equal("nothing refused in ops", await page.EvaluateExpressionAsync<string>("document.getElementById('no-dead-letters').textContent"));
        // A malformed entry appended while the page is open appears with its reason.
        var position = await _log.AppendAsync("ops", new LogRecord("junk-1", "{not json"u8.ToArray()));
        var row = await page.WaitForSelectorAsync($"tr[data-dead-letter='ops:{position}']", new WaitForSelectorOptions { Timeout = (int)Patience.TotalMilliseconds });
        var text = await row!.EvaluateFunctionAsync<string>("e => e.innerText");

        Assert.Contains("ops", text, StringComparison.Ordinal);
        Assert.Contains(position.ToString(System.Globalization.CultureInfo.InvariantCulture), text, StringComparison.Ordinal);
        Assert.NotEmpty(await row.EvaluateFunctionAsync<string>("e => e.cells[3].textContent"));
        Assert.Equal(0, await page.EvaluateExpressionAsync<int>("document.querySelectorAll(\"tr[data-node^='dashboard-']\").length"));
    }

    [Fact]
    public async Task ADecisionWithoutTheDashboardsHeader_IsRefused_SoAnotherSiteCannotPostOne()
    {
        var callId = await PendingCallAsync();
        await using var dashboard = await DashboardServer.StartAsync(_log, new DashboardOptions { Port = 0, AllowApprovals = true, Principal = "alice" });
        using var http = new HttpClient();

        using var refused = await http.PostAsync(new Uri(dashboard.Address, $"approvals/{callId}/approve"), null);

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Null(_desk.DecisionOf(callId));
    }
}
