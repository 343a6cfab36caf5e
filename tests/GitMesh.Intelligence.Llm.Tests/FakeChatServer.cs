using System.Collections.Concurrent;
using System.Text.Json;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;

namespace GitMesh.Intelligence.Llm.Tests;

/// <summary>A scripted reply of the fake endpoint.</summary>
public sealed record FakeReply(int Status, string Body, TimeSpan Delay = default, string? RetryAfter = null)
{
    /// <summary>A 200 chat.completion whose choices[0].message.content is <paramref name="content"/>.</summary>
    public static FakeReply Completion(string content, int promptTokens = 120, int completionTokens = 30) => new(200, JsonSerializer.Serialize(new
    {
        id = "chatcmpl-test",
        @object = "chat.completion",
        created = 1_763_000_000,
        model = "test-model",
        choices = new[] { new { index = 0, message = new { role = "assistant", content }, finish_reason = "stop", logprobs = (object?)null } },
        usage = new { prompt_tokens = promptTokens, completion_tokens = completionTokens, total_tokens = promptTokens + completionTokens },
    }));

    public static FakeReply Answer(string intent, string sentiment, double confidence, string summary, int promptTokens = 120, int completionTokens = 30) =>
        Completion(JsonSerializer.Serialize(new { intent, sentiment, confidence, summary }), promptTokens, completionTokens);
}

/// <summary>
/// An OpenAI-compatible server on loopback speaking POST /v1/chat/completions. Replies come from a script (in order),
/// or from <see cref="Default"/> when the script is empty; every request is recorded for assertions.
/// </summary>
public sealed class FakeChatServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<FakeReply> _script = new();
    private LoopbackServer _server = null!;

    public Func<JsonElement, FakeReply> Default { get; set; } = _ => FakeReply.Answer("bug", "negative", 0.9, "The app crashes when saving.");

    public Uri Endpoint => new(_server.BaseAddress, "v1");

    public IReadOnlyList<RecordedRequest> Requests => _server.Requests.Where(r => r.Path == "/v1/chat/completions").ToList();

    public static async Task<FakeChatServer> StartAsync()
    {
        var fake = new FakeChatServer();
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public void Enqueue(params FakeReply[] replies)
    {
        foreach (var reply in replies)
        {
            _script.Enqueue(reply);
        }
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Method != "POST" || context.Request.Path != "/v1/chat/completions")
        {
            context.Response.StatusCode = 404;
            return;
        }

        using var body = await JsonDocument.ParseAsync(context.Request.Body);
        var reply = _script.TryDequeue(out var next) ? next : Default(body.RootElement.Clone());
        if (reply.Delay > TimeSpan.Zero)
        {
            try
            {
                await Task.Delay(reply.Delay, context.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = "application/json";
        if (reply.RetryAfter is not null)
        {
            context.Response.Headers["Retry-After"] = reply.RetryAfter;
        }

        await context.Response.WriteAsync(reply.Body.Replace("{AUTH}", context.Request.Headers.Authorization.ToString(), StringComparison.Ordinal));
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
