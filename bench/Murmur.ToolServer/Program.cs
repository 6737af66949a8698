// A remote tool host for the latency-trap bench: `noop(n) => n + 1` over HTTP.
// dotnet bench/Murmur.ToolServer/bin/Release/net10.0/Murmur.ToolServer.dll --urls http://127.0.0.1:34280
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
var app = builder.Build();
app.MapGet("/healthz", () => "ok");
app.MapGet("/tools/noop", (int n) => (n + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
await app.RunAsync();
