using System.Net;
using System.Text.RegularExpressions;
using Murmur.AI.Tests.Support;
using Murmur.Cli.Dashboard;
using Murmur.Cli.Mesh;
using Murmur.Events;
using Murmur.Fleet;
using Murmur.Logs;
using Murmur.Topics;
using PuppeteerSharp;

namespace Murmur.Cli.Tests;

/// <summary>The dashboard's topics view and a topic's live space-time diagram, in chromium.</summary>
public sealed partial class DashboardTests
{
    private WaitForFunctionOptions Waiting => new() { Timeout = (int)Patience.TotalMilliseconds };

    /// <summary>Announces a task on the control topic as <c>murmur task start</c> does.</summary>
    private async Task AnnounceAsync(string task, string goal, string mode = "eventual")
    {
        var announcement = new TaskRequest(task, goal, mode, $"task-{task}", 1, 2).ToEvent($"task-{task}", 1_700_000_000_000);
        await _log.AppendAsync(TaskRequest.ControlTopic, new LogRecord(announcement.EventId, AgentEventCodec.Encode(announcement)));
    }

    [Fact]
    public async Task TheTopicsView_ListsARunningTasksMembers_AndItsDiagramShowsANewEventWithoutReloading()
    {
        await using var worker = await MurmurNode.StartAsync(o => { o.UseInMemoryLog(_log); o.Options = o.Options with { NodeId = "worker-1" }; });
        await using var fleet = await MurmurFleet.StartAsync(worker);
        await using var dashboard = await DashboardServer.StartAsync(_log, new DashboardOptions { Port = 0, Principal = "alice" });
        await using var browser = await BrowserAsync();
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 1100, Height = 900 });
        await page.GoToAsync(dashboard.Address.AbsoluteUri);
        // Announced and joined while the page is open: the dashboard follows the control topic.
        await AnnounceAsync("login", "fix the login bug");
        var topic = await _node.OpenTopicAsync("task-login");
        var researcher = await Puppet.JoinAsync(_node, topic, "Researcher-1");
        var reviewer = await Puppet.JoinAsync(_node, topic, "Reviewer-1");
        await researcher.PublishAsync("FINDING", new { text = "the token expires early" });

        await page.WaitForFunctionAsync("() => { const r = document.querySelector(\"tr[data-topic='task-login']\"); return r?.cells[3].textContent === 'Researcher-1, Reviewer-1' && r.dataset.state === 'running'; }", Waiting);
        var row = await page.EvaluateExpressionAsync<string[]>("[...document.querySelector(\"tr[data-topic='task-login']\").cells].map(c => c.textContent)");
        Assert.Equal(["task-login", "login: fix the login bug", "eventual"], row[..3]);
        Assert.Equal("running", row[7]);
        await page.ClickAsync("tr[data-topic='task-login']");
        await page.WaitForFunctionAsync("() => document.body.dataset.diagram === 'task-login:3'", Waiting);
        Assert.Equal(["Researcher-1", "Reviewer-1"], await page.EvaluateExpressionAsync<string[]>("[...document.querySelectorAll('#diagram-box g.lane .lane-name title')].map(t => t.textContent)"));
        Assert.Equal(3, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#diagram-box g.ev').length"));
        Assert.Matches(new Regex(@"^\d\d:\d\d:\d\d$"), await page.EvaluateExpressionAsync<string>("document.querySelector('#diagram-box #time-axis text.time').firstChild.nodeValue"));
        await page.EvaluateExpressionAsync("window.sameDocument = true");

        await reviewer.PublishAsync("REVIEW", new { verdict = "looks right" });
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#diagram-box g.ev').length === 4", Waiting);
        // The new mark is the last column, on the reviewer's lane.
        var last = await page.EvaluateExpressionAsync<string[]>("""
            (() => { const marks = document.querySelectorAll('#diagram-box g.ev'); const m = marks[marks.length - 1];
              return [m.querySelector('.label').textContent, String(m.transform.baseVal[0].matrix.f),
                document.querySelector('#diagram-box g.lane[data-lane="1"] line').getAttribute('y1')]; })()
            """);
        Assert.Equal(["REVIEW", last[2], last[2]], last);
        Assert.True(await page.EvaluateExpressionAsync<bool>("window.sameDocument === true"));
        await reviewer.PublishAsync(Actions.TaskComplete, new { summary = "reviewed" });
        await page.WaitForFunctionAsync("() => document.querySelector(\"tr[data-topic='task-login']\")?.cells[5].textContent === 'Reviewer-1'", Waiting);
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#diagram-box g.ev').length === 5", Waiting);
        // docs/dashboard.png is made this way: MURMUR_DASHBOARD_SCREENSHOT=$PWD/docs/dashboard.png dotnet test --filter TheTopicsView
        await page.ScreenshotAsync(Environment.GetEnvironmentVariable("MURMUR_DASHBOARD_SCREENSHOT") ?? Path.Combine(_profile, "dashboard.png"), new ScreenshotOptions { FullPage = true });
    }

    [Fact]
    public async Task ABusyTopicsDiagram_DrawsItsLatestEvents_FollowsTheTail_AndZoomsToFit()
    {
        var topic = await _node.OpenTopicAsync("busy");
        var worker = await Puppet.JoinAsync(_node, topic, "Worker");
        for (var i = 0; i < 29; i++)
        {
            await worker.PublishAsync("STEP", new { i });
        }
        await using var dashboard = await DashboardServer.StartAsync(_log, new DashboardOptions { Port = 0, Principal = "alice", Topics = ["busy"], DiagramEvents = 20 });
        await using var browser = await BrowserAsync();
        await using var page = await browser.NewPageAsync();
        await page.SetViewportAsync(new ViewPortOptions { Width = 700, Height = 700 });
        await page.GoToAsync(dashboard.Address.AbsoluteUri + "#topic=busy");

        await page.WaitForFunctionAsync("() => document.body.dataset.diagram === 'busy:30'", Waiting);
        Assert.Equal("the last 20 of 30 events (older ones are in the log: murmur trace draws them all)", await page.EvaluateExpressionAsync<string>("document.getElementById('diagram-note').textContent"));
        Assert.Equal(20, await page.EvaluateExpressionAsync<int>("document.querySelectorAll('#diagram-box g.ev').length"));
        const string atTheEnd = "(() => { const b = document.getElementById('diagram-box'); return b.scrollWidth > b.clientWidth && b.scrollLeft + b.clientWidth >= b.scrollWidth - 1; })()";
        Assert.True(await page.EvaluateExpressionAsync<bool>(atTheEnd));
        await page.EvaluateExpressionAsync("document.getElementById('diagram-box').scrollLeft = 0");
        await worker.PublishAsync("STEP", new { i = 29 });
        await page.WaitForFunctionAsync("() => document.body.dataset.diagram === 'busy:31'", Waiting);
        Assert.True(await page.EvaluateExpressionAsync<bool>(atTheEnd)); // following the tail brought the newest back into view

        await page.ClickAsync("#zoom");
        Assert.Equal("fit", await page.EvaluateExpressionAsync<string>("document.getElementById('diagram-box').dataset.zoom"));
        Assert.True(await page.EvaluateExpressionAsync<bool>("(() => { const b = document.getElementById('diagram-box'); return b.scrollWidth <= b.clientWidth; })()"));
        await page.ClickAsync("#zoom");
        Assert.Equal("1", await page.EvaluateExpressionAsync<string>("document.getElementById('diagram-box').dataset.zoom"));
    }

    [Fact]
    public async Task AStrictTasksRow_ShowsItsModeAndOpenRound()
    {
        await AnnounceAsync("audit", "audit the release", "strict");
        var topic = await _node.OpenTopicAsync("task-audit", Consistency.Strict);
        await Puppet.JoinAsync(_node, topic, "Auditor");
        await using var dashboard = await DashboardServer.StartAsync(_log, new DashboardOptions { Port = 0, Principal = "alice" });
        await using var browser = await BrowserAsync();
        await using var page = await browser.NewPageAsync();
        await page.GoToAsync(dashboard.Address.AbsoluteUri);

        // The dashboard's node counts the rounds the members' node closes (the auditor's base agent ends each round):
        // it shows at least what that node had closed before the wait, and one that node reaches.
        var before = topic.Round!.Value;
        await page.WaitForFunctionAsync("(least) => { const r = document.querySelector(\"tr[data-topic='task-audit']\"); return r?.cells[3].textContent === 'Auditor' && Number(r.cells[6].textContent) >= least; }", Waiting, before);
        var row = await page.EvaluateExpressionAsync<string[]>("[...document.querySelector(\"tr[data-topic='task-audit']\").cells].map(c => c.textContent)");

        Assert.Equal("strict", row[2]);
        var shown = int.Parse(row[6], System.Globalization.CultureInfo.InvariantCulture);
        using var patience = new CancellationTokenSource(Patience);
        await topic.WaitForRoundAsync(shown, patience.Token); // the members' node gets there too: the same rounds
    }

    [Fact]
    public async Task TheDiagramOfATopicTheDashboardDoesNotFollow_IsRefusedWithItsName()
    {
        await using var dashboard = await DashboardServer.StartAsync(_log, new DashboardOptions { Port = 0, Principal = "alice", Topics = ["ops"] });
        using var http = new HttpClient();

        using var missing = await http.GetAsync(new Uri(dashboard.Address, "topics/elsewhere/diagram"));
        using var ops = await http.GetAsync(new Uri(dashboard.Address, "topics/ops/diagram"));

        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.Equal("this dashboard does not follow a topic named 'elsewhere'", await missing.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, ops.StatusCode);
        Assert.Contains("\"lanes\":[\"Operator\"]", await ops.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
