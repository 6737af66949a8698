using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Murmur.AI.Tests.Support;

/// <summary>A minimal OpenAI-protocol server on 127.0.0.1: answers /v1/chat/completions from a queue of canned replies.</summary>
internal sealed class FakeOpenAIServer : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<Reply> _replies = new();
    private readonly Task _loop;

    public FakeOpenAIServer()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        _listener.Prefixes.Add($"http://127.0.0.1:{port}/");
        _listener.Start();
        Endpoint = $"http://127.0.0.1:{port}/v1";
        _loop = Task.Run(LoopAsync);
    }

    public string Endpoint { get; }

    /// <summary>Request bodies, in arrival order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>Used when the queue is empty.</summary>
    public Reply? Fallback { get; set; }

    public void Enqueue(Reply reply) => _replies.Enqueue(reply);

    public static Reply Json(string body, int status = 200) => new(status, "application/json", body);

    public static Reply Sse(params string[] chunks)
        => new(200, "text/event-stream", string.Concat(chunks.Select(c => $"data: {c}\n\n")) + "data: [DONE]\n\n");

    public static string Completion(string messageJson, string finishReason)
        => "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1700000000,\"model\":\"test-model\",\"choices\":[{\"index\":0,\"message\":"
            + messageJson + ",\"finish_reason\":\"" + finishReason + "\"}],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":5,\"total_tokens\":15}}";

    public static string Chunk(string deltaJson, string? finishReason = null)
    {
        var finish = finishReason is null ? "null" : "\"" + finishReason + "\"";
        return "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"test-model\",\"choices\":[{\"index\":0,\"delta\":"
            + deltaJson + ",\"finish_reason\":" + finish + "}]}";
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8))
            {
                Requests.Enqueue(await reader.ReadToEndAsync());
            }
            var reply = _replies.TryDequeue(out var r) ? r : Fallback ?? Json("""{"error":{"message":"no reply queued"}}""", 500);
            context.Response.StatusCode = reply.Status;
            context.Response.ContentType = reply.ContentType;
            var bytes = Encoding.UTF8.GetBytes(reply.Body);
            context.Response.ContentLength64 = bytes.Length;
            await context.Response.OutputStream.WriteAsync(bytes);
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    internal sealed record Reply(int Status, string ContentType, string Body);
}
