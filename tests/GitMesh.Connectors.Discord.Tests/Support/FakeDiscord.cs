using System.Collections.Concurrent;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using GitMesh.Connectors.Discord.Messages;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;

namespace GitMesh.Connectors.Discord.Tests.Support;

/// <summary>
/// A stateful fake of Discord on loopback: the gateway (WebSocket on /gateway and /resume, scripted by the test
/// through <see cref="FakeGatewayConnection"/>) and the REST endpoints we call under /api/v10/, which behave like
/// Discord's (newest-first pages, 404 for unknown channels, optional scripted 429s).
/// </summary>
internal sealed class FakeDiscord : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    private readonly Channel<FakeGatewayConnection> _connections = Channel.CreateUnbounded<FakeGatewayConnection>();
    private readonly ConcurrentBag<FakeGatewayConnection> _all = [];
    private int _connectionCount;

    private FakeDiscord()
    {
    }

    public LoopbackServer Server { get; private set; } = null!;

    public Uri ApiBase => new(Server.BaseAddress, "api/v10/");

    public Uri GatewayUrl => new($"ws://{Server.BaseAddress.Authority}/gateway");

    public string ResumeUrl => $"ws://{Server.BaseAddress.Authority}/resume";

    public int ConnectionCount => Volatile.Read(ref _connectionCount);

    /// <summary>Messages per channel id, as JSON objects (any order).</summary>
    public ConcurrentDictionary<string, List<JsonObject>> Messages { get; } = new();

    /// <summary>Channels answered by GET /channels/{id}; also the source of the active thread list (thread types).</summary>
    public ConcurrentDictionary<string, JsonObject> Channels { get; } = new();

    /// <summary>Scripted 429s: path (e.g. "channels/100/messages") → number of 429s to answer before serving it.</summary>
    public ConcurrentDictionary<string, int> RateLimitsToServe { get; } = new();

    public double RateLimitRetryAfterSeconds { get; set; } = 0.2;

    public IReadOnlyList<RecordedRequest> RestRequests =>
        Server.Requests.Where(r => r.Path.StartsWith("/api/", StringComparison.Ordinal)).ToList();

    public static async Task<FakeDiscord> StartAsync()
    {
        var fake = new FakeDiscord();
        fake.Server = await LoopbackServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public void AddMessage(JsonObject message) =>
        Messages.GetOrAdd(message["channel_id"]!.GetValue<string>(), _ => []).Add(message);

    public async Task<FakeGatewayConnection> NextConnectionAsync()
    {
        using var timeout = new CancellationTokenSource(Timeout);
        return await _connections.Reader.ReadAsync(timeout.Token);
    }

    public bool TryGetExtraConnection(out FakeGatewayConnection? connection) => _connections.Reader.TryRead(out connection);

    private async Task HandleAsync(HttpContext context)
    {
        if (context.WebSockets.IsWebSocketRequest)
        {
            var socket = await context.WebSockets.AcceptWebSocketAsync();
            var connection = new FakeGatewayConnection(socket, context.Request.Path.Value ?? "/", context.Request.QueryString.Value ?? string.Empty);
            Interlocked.Increment(ref _connectionCount);
            _all.Add(connection);
            _connections.Writer.TryWrite(connection);
            await connection.RunAsync();
            return;
        }

        var path = (context.Request.Path.Value ?? "/").TrimStart('/');
        if (!path.StartsWith("api/v10/", StringComparison.Ordinal))
        {
            context.Response.StatusCode = 404;
            return;
        }

        var route = path["api/v10/".Length..];
        if (RateLimitsToServe.TryGetValue(route, out var remaining) && remaining > 0)
        {
            RateLimitsToServe[route] = remaining - 1;
            context.Response.StatusCode = 429;
            context.Response.Headers["X-RateLimit-Limit"] = "5";
            context.Response.Headers["X-RateLimit-Remaining"] = "0";
            context.Response.Headers["X-RateLimit-Reset-After"] = RateLimitRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
            context.Response.Headers["X-RateLimit-Scope"] = "user";
            context.Response.Headers.RetryAfter = Math.Ceiling(RateLimitRetryAfterSeconds).ToString(CultureInfo.InvariantCulture);
            await context.Response.WriteAsJsonAsync(new JsonObject
            {
                ["message"] = "You are being rate limited.",
                ["retry_after"] = RateLimitRetryAfterSeconds,
                ["global"] = false,
            });
            return;
        }

        var segments = route.Split('/');
        switch (segments)
        {
            case ["gateway", "bot"]:
                await context.Response.WriteAsJsonAsync(new JsonObject
                {
                    ["url"] = GatewayUrl.AbsoluteUri.TrimEnd('/'),
                    ["shards"] = 1,
                    ["session_start_limit"] = new JsonObject { ["total"] = 1000, ["remaining"] = 999, ["reset_after"] = 14400000, ["max_concurrency"] = 1 },
                });
                return;
            case ["users", "@me"]:
                await context.Response.WriteAsJsonAsync(new JsonObject { ["id"] = "1000", ["username"] = "gitmesh-bot", ["bot"] = true });
                return;
            case ["guilds", _, "threads", "active"]:
                var threads = new JsonArray(Channels.Values
                    .Where(c => c["type"]!.GetValue<int>() is 10 or 11 or 12)
                    .Where(c => c["thread_metadata"]?["archived"]?.GetValue<bool>() != true)
                    .Select(c => (JsonNode)c.DeepClone()).ToArray());
                await context.Response.WriteAsJsonAsync(new JsonObject { ["threads"] = threads, ["members"] = new JsonArray() });
                return;
            case ["channels", var channelId]:
                if (Channels.TryGetValue(channelId, out var channel))
                {
                    await context.Response.WriteAsJsonAsync(channel);
                    return;
                }

                context.Response.StatusCode = 404;
                await context.Response.WriteAsJsonAsync(new JsonObject { ["message"] = "Unknown Channel", ["code"] = 10003 });
                return;
            case ["channels", var channelId, "messages"]:
                await WriteMessagesAsync(context, channelId);
                return;
            default:
                context.Response.StatusCode = 404;
                return;
        }
    }

    private async Task WriteMessagesAsync(HttpContext context, string channelId)
    {
        var after = DiscordSnowflake.Parse(context.Request.Query["after"].ToString() is { Length: > 0 } a ? a : "0");
        var limit = int.Parse(context.Request.Query["limit"].ToString() is { Length: > 0 } l ? l : "50", CultureInfo.InvariantCulture);
        List<JsonObject> all;
        lock (Messages)
        {
            all = Messages.TryGetValue(channelId, out var list) ? [.. list] : [];
        }

        // Like Discord: the `limit` messages right after `after`, returned newest first.
        var page = all
            .Select(m => (Id: DiscordSnowflake.Parse(m["id"]!.GetValue<string>()), Message: m))
            .Where(m => m.Id > after)
            .OrderBy(m => m.Id)
            .Take(limit)
            .OrderByDescending(m => m.Id)
            .Select(m => (JsonNode)m.Message.DeepClone())
            .ToArray();
        await context.Response.WriteAsJsonAsync(new JsonArray(page));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var connection in _all) connection.Abort();
        await Server.DisposeAsync();
    }
}

/// <summary>One gateway connection as the fake server sees it. Heartbeats are ACKed automatically unless told not to.</summary>
internal sealed class FakeGatewayConnection(WebSocket socket, string path, string query)
{
    private readonly Channel<JsonElement> _received = Channel.CreateUnbounded<JsonElement>();
    private readonly Channel<JsonElement> _heartbeats = Channel.CreateUnbounded<JsonElement>();
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly TaskCompletionSource<int?> _closedByClient = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Path { get; } = path;

    public string Query { get; } = query;

    public volatile bool AutoAck = true;

    public int HeartbeatCount;

    /// <summary>Close code the client sent (null when it dropped the connection without a close frame).</summary>
    public Task<int?> ClosedByClient => _closedByClient.Task;

    private volatile bool _finished;

    public async Task RunAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                using var message = new MemoryStream();
                WebSocketReceiveResult result;
                do
                {
                    result = await socket.ReceiveAsync(buffer, CancellationToken.None);
                    if (result.MessageType == WebSocketMessageType.Close)
                    {
                        _closedByClient.TrySetResult(result.CloseStatus is { } status ? (int)status : null);
                        if (socket.State == WebSocketState.CloseReceived)
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, CancellationToken.None);
                        }

                        return;
                    }

                    message.Write(buffer, 0, result.Count);
                }
                while (!result.EndOfMessage);

                var payload = JsonDocument.Parse(message.ToArray()).RootElement.Clone();
                if (payload.GetProperty("op").GetInt32() == 1)
                {
                    Interlocked.Increment(ref HeartbeatCount);
                    _heartbeats.Writer.TryWrite(payload);
                    if (AutoAck) await SendAsync("""{"op":11}""");
                }
                else
                {
                    _received.Writer.TryWrite(payload);
                }
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _closedByClient.TrySetResult(null);
        }
        finally
        {
            _finished = true;
        }
    }

    public async Task SendAsync(string json)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    public Task SendHelloAsync(int heartbeatIntervalMs = 45000) => SendAsync(Fixtures.Hello(heartbeatIntervalMs));

    public Task SendDispatchAsync(string eventName, long sequence, JsonNode data) => SendAsync(Fixtures.Dispatch(eventName, sequence, data));

    /// <summary>HELLO, expect IDENTIFY, answer READY (s=1). Returns the IDENTIFY payload.</summary>
    public async Task<JsonElement> HandshakeAsync(string sessionId, string resumeUrl, int heartbeatIntervalMs = 45000)
    {
        await SendHelloAsync(heartbeatIntervalMs);
        var identify = await ReceiveAsync();
        identify.GetProperty("op").GetInt32().ShouldBe(2);
        await SendDispatchAsync("READY", 1, Fixtures.Ready(sessionId, resumeUrl));
        return identify;
    }

    /// <summary>Next non-heartbeat payload the client sent.</summary>
    public async Task<JsonElement> ReceiveAsync()
    {
        using var timeout = new CancellationTokenSource(FakeDiscord.Timeout);
        return await _received.Reader.ReadAsync(timeout.Token);
    }

    public async Task<JsonElement> NextHeartbeatAsync()
    {
        using var timeout = new CancellationTokenSource(FakeDiscord.Timeout);
        return await _heartbeats.Reader.ReadAsync(timeout.Token);
    }

    /// <summary>Close as Discord does: close frame with an application close code, then wait for the client's answer.</summary>
    public async Task CloseAsync(int closeCode, string reason)
    {
        await _sendLock.WaitAsync();
        try
        {
            await socket.CloseOutputAsync((WebSocketCloseStatus)closeCode, reason, CancellationToken.None);
        }
        finally
        {
            _sendLock.Release();
        }

        await ClosedByClient.WaitAsync(FakeDiscord.Timeout);
    }

    /// <summary>Drops the TCP connection without a close frame (as a network failure would).</summary>
    public void Abort()
    {
        if (_finished) return;
        try
        {
            socket.Abort();
        }
        catch (ObjectDisposedException)
        {
            // The request already ended.
        }
    }
}
