using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;

namespace GitMesh.Connectors.Discord.Gateway;

/// <summary>
/// One Discord gateway session for one bot: connects, heartbeats, identifies or resumes, and keeps reconnecting
/// (resuming when the session survives) until cancelled or until Discord closes with a code that reconnecting
/// cannot fix. Dispatches reach <c>onDispatch</c> one at a time, in sequence order, from a queue: a slow handler
/// never delays reading HEARTBEAT_ACKs, which would otherwise look like a zombied connection.
/// </summary>
public sealed partial class DiscordGatewayClient(
    DiscordGatewayClientOptions options,
    Func<DiscordGatewayDispatch, CancellationToken, Task> onDispatch,
    TimeProvider timeProvider,
    ILogger<DiscordGatewayClient> logger)
{
    private const string Provider = "discord";
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly Lock _lock = new();
    private string? _sessionId = options.ResumeFrom?.SessionId;
    private string? _resumeUrl = options.ResumeFrom?.ResumeGatewayUrl;
    private long? _sequence = options.ResumeFrom?.Sequence;
    private int _connectionAttempts;
    private int _running;

    /// <summary>Current resume state, or null before READY / after the session was invalidated.</summary>
    public DiscordGatewaySession? Session
    {
        get
        {
            lock (_lock)
            {
                return _sessionId is null || _resumeUrl is null ? null : new DiscordGatewaySession(_sessionId, _resumeUrl, _sequence);
            }
        }
    }

    /// <summary>Connections opened so far (diagnostics; lets tests prove a fatal close did not loop).</summary>
    public int ConnectionAttempts => Volatile.Read(ref _connectionAttempts);

    /// <summary>
    /// Runs the session until <paramref name="cancellationToken"/> is cancelled (returns normally) or a fatal close:
    /// 4004 throws <see cref="ConnectorAuthException"/>, 4010–4014 throw <see cref="DiscordGatewayClosedException"/>.
    /// Dispatches already received are handed to the callback before it returns or throws.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _running, 1) == 1)
        {
            throw new InvalidOperationException("This gateway session is already running.");
        }

        var queue = Channel.CreateUnbounded<DiscordGatewayDispatch>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });
        var pump = PumpAsync(queue.Reader, cancellationToken);
        try
        {
            await ConnectLoopAsync(queue.Writer, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutdown: the socket is dropped without a 1000 close, so the session stays resumable for whoever runs next.
        }
        finally
        {
            queue.Writer.TryComplete();
            await pump;
            Volatile.Write(ref _running, 0);
        }
    }

    private async Task PumpAsync(ChannelReader<DiscordGatewayDispatch> reader, CancellationToken cancellationToken)
    {
        await Task.Yield();
        try
        {
            await foreach (var dispatch in reader.ReadAllAsync(cancellationToken))
            {
                try
                {
                    await onDispatch(dispatch, cancellationToken);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    LogDispatchHandlerFailed(logger, ex, dispatch.EventName);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    private async Task ConnectLoopAsync(ChannelWriter<DiscordGatewayDispatch> dispatches, CancellationToken cancellationToken)
    {
        var failures = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            bool resume;
            string url;
            lock (_lock)
            {
                resume = _sessionId is not null && _resumeUrl is not null && _sequence is not null;
                url = resume ? _resumeUrl! : options.GatewayUrl.AbsoluteUri;
            }

            ConnectionResult result;
            try
            {
                result = await RunConnectionAsync(url, resume, dispatches, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is WebSocketException or IOException or HttpRequestException or OperationCanceledException or JsonException or KeyNotFoundException or InvalidOperationException)
            {
                LogConnectionFailed(logger, ex, resume);
                result = new ConnectionResult(NextStep.ReconnectWithBackoff, Established: false);
            }

            if (result.Established)
            {
                failures = 0;
            }

            TimeSpan delay;
            switch (result.Next)
            {
                case NextStep.Fatal:
                    throw result.Fatal!;
                case NextStep.ReconnectNow:
                    delay = TimeSpan.Zero;
                    break;
                case NextStep.IdentifyAfterInvalidSession:
                    ClearSession();
                    delay = RandomBetween(options.InvalidSessionMinDelay, options.InvalidSessionMaxDelay);
                    break;
                case NextStep.IdentifyWithBackoff:
                    ClearSession();
                    delay = Backoff(++failures);
                    break;
                default:
                    delay = Backoff(++failures);
                    break;
            }

            LogReconnecting(logger, result.Next.ToString(), delay.TotalMilliseconds);
            if (delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
        }
    }

    private async Task<ConnectionResult> RunConnectionAsync(
        string baseUrl, bool resume, ChannelWriter<DiscordGatewayDispatch> dispatches, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _connectionAttempts);
        using var socket = new ClientWebSocket();
        using var connection = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using (var timeout = new CancellationTokenSource(options.ConnectTimeout, timeProvider))
        using (var connect = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            await socket.ConnectAsync(BuildUri(baseUrl), connect.Token);
        }

        LogConnected(logger, resume);
        var state = new ConnectionState(socket);
        Task? heartbeat = null;
        var established = false;
        try
        {
            while (true)
            {
                using var payload = await ReceiveAsync(state, connection.Token);
                if (payload is null)
                {
                    await CloseQuietlyAsync(state, socket.CloseStatus is { } status ? (int)status : (int)WebSocketCloseStatus.NormalClosure);
                    return FromClose(socket.CloseStatus is { } code ? (int)code : null, socket.CloseStatusDescription, established);
                }

                var root = payload.RootElement;
                switch (root.GetProperty("op").GetInt32())
                {
                    case DiscordGatewayOpcodes.Hello:
                        var interval = TimeSpan.FromMilliseconds(root.GetProperty("d").GetProperty("heartbeat_interval").GetDouble());
                        heartbeat ??= HeartbeatLoopAsync(state, interval, connection);
                        if (resume)
                        {
                            await SendAsync(state, ResumePayload(), connection.Token);
                        }
                        else
                        {
                            await SendAsync(state, IdentifyPayload(), connection.Token);
                        }

                        break;
                    case DiscordGatewayOpcodes.HeartbeatAck:
                        state.AwaitingAck = false;
                        break;
                    case DiscordGatewayOpcodes.Heartbeat:
                        await SendHeartbeatAsync(state, connection.Token);
                        break;
                    case DiscordGatewayOpcodes.Dispatch:
                        established |= OnDispatch(root, dispatches);
                        break;
                    case DiscordGatewayOpcodes.Reconnect:
                        LogReconnectRequested(logger);
                        await CloseQuietlyAsync(state, DiscordGatewayCloseCodes.ClientReconnecting);
                        return new ConnectionResult(NextStep.ReconnectNow, established);
                    case DiscordGatewayOpcodes.InvalidSession:
                        var resumable = root.TryGetProperty("d", out var d) && d.ValueKind == JsonValueKind.True;
                        LogInvalidSession(logger, resumable);
                        await CloseQuietlyAsync(state, DiscordGatewayCloseCodes.ClientReconnecting);
                        return new ConnectionResult(resumable ? NextStep.ReconnectWithBackoff : NextStep.IdentifyAfterInvalidSession, established);
                }
            }
        }
        catch (Exception ex) when (state.Zombie && !cancellationToken.IsCancellationRequested
            && ex is OperationCanceledException or WebSocketException or IOException)
        {
            LogZombie(logger);
            return new ConnectionResult(NextStep.ReconnectWithBackoff, established);
        }
        finally
        {
            await connection.CancelAsync();
            if (heartbeat is not null)
            {
                await heartbeat;
            }
        }
    }

    /// <summary>Applies a dispatch to the session state and queues it; true when it (re)established the session.</summary>
    private bool OnDispatch(JsonElement root, ChannelWriter<DiscordGatewayDispatch> dispatches)
    {
        long? sequence = root.TryGetProperty("s", out var s) && s.ValueKind == JsonValueKind.Number ? s.GetInt64() : null;
        var eventName = root.TryGetProperty("t", out var t) ? t.GetString() ?? string.Empty : string.Empty;
        var data = root.TryGetProperty("d", out var d) ? d.Clone() : default;
        var established = false;
        lock (_lock)
        {
            if (sequence is not null) _sequence = sequence;
            if (eventName == "READY")
            {
                _sessionId = data.GetProperty("session_id").GetString();
                _resumeUrl = data.TryGetProperty("resume_gateway_url", out var url) ? url.GetString() : options.GatewayUrl.AbsoluteUri;
                established = true;
            }
            else if (eventName == "RESUMED")
            {
                established = true;
            }
        }

        if (established) LogSessionEstablished(logger, eventName);
        dispatches.TryWrite(new DiscordGatewayDispatch(eventName, sequence, data));
        return established;
    }

    private async Task HeartbeatLoopAsync(ConnectionState state, TimeSpan interval, CancellationTokenSource connection)
    {
        try
        {
            // Discord asks for the first beat after interval * jitter so reconnecting fleets do not beat in lockstep.
            var delay = interval * Random.Shared.NextDouble();
            while (true)
            {
                await Task.Delay(delay, timeProvider, connection.Token);
                if (state.AwaitingAck)
                {
                    // No ACK since the last beat: the connection is zombied. Close with a non-1000 code so the session
                    // stays resumable, then tear down the reader.
                    state.Zombie = true;
                    await CloseQuietlyAsync(state, DiscordGatewayCloseCodes.ClientReconnecting);
                    await connection.CancelAsync();
                    return;
                }

                await SendHeartbeatAsync(state, connection.Token);
                delay = interval;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
        }
    }

    private Task SendHeartbeatAsync(ConnectionState state, CancellationToken cancellationToken)
    {
        long? sequence;
        lock (_lock)
        {
            sequence = _sequence;
        }

        state.AwaitingAck = true;
        return SendAsync(state, new JsonObject { ["op"] = DiscordGatewayOpcodes.Heartbeat, ["d"] = sequence }, cancellationToken);
    }

    private JsonObject IdentifyPayload()
    {
        var os = OperatingSystem.IsWindows() ? "windows" : OperatingSystem.IsMacOS() ? "macos" : "linux";
        return new JsonObject
        {
            ["op"] = DiscordGatewayOpcodes.Identify,
            ["d"] = new JsonObject
            {
                ["token"] = options.Token,
                ["intents"] = (int)options.Intents,
                ["properties"] = new JsonObject { ["os"] = os, ["browser"] = options.ClientName, ["device"] = options.ClientName },
            },
        };
    }

    private JsonObject ResumePayload()
    {
        lock (_lock)
        {
            return new JsonObject
            {
                ["op"] = DiscordGatewayOpcodes.Resume,
                ["d"] = new JsonObject { ["token"] = options.Token, ["session_id"] = _sessionId, ["seq"] = _sequence },
            };
        }
    }

    private static async Task SendAsync(ConnectionState state, JsonObject payload, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(payload.ToJsonString());
        await state.SendLock.WaitAsync(cancellationToken);
        try
        {
            await state.Socket.SendAsync(bytes, WebSocketMessageType.Text, endOfMessage: true, cancellationToken);
        }
        finally
        {
            state.SendLock.Release();
        }
    }

    private static async Task<JsonDocument?> ReceiveAsync(ConnectionState state, CancellationToken cancellationToken)
    {
        state.Buffer.ResetWrittenCount();
        while (true)
        {
            var result = await state.Socket.ReceiveAsync(state.Buffer.GetMemory(16 * 1024), cancellationToken);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            state.Buffer.Advance(result.Count);
            if (result.EndOfMessage)
            {
                return JsonDocument.Parse(state.Buffer.WrittenMemory);
            }
        }
    }

    private static async Task CloseQuietlyAsync(ConnectionState state, int closeCode)
    {
        if (state.Socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived)) return;
        try
        {
            using var timeout = new CancellationTokenSource(CloseTimeout);
            await state.SendLock.WaitAsync(timeout.Token);
            try
            {
                await state.Socket.CloseOutputAsync((WebSocketCloseStatus)closeCode, null, timeout.Token);
            }
            finally
            {
                state.SendLock.Release();
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
        }
    }

    private ConnectionResult FromClose(int? closeCode, string? reason, bool established)
    {
        LogClosedByServer(logger, closeCode, reason);
        if (closeCode == DiscordGatewayCloseCodes.AuthenticationFailed)
        {
            return new ConnectionResult(NextStep.Fatal, established, new ConnectorAuthException(Provider, string.IsNullOrEmpty(reason) ? "Authentication failed." : reason));
        }

        if (closeCode is { } fatal && DiscordGatewayCloseCodes.IsFatal(fatal))
        {
            return new ConnectionResult(NextStep.Fatal, established, new DiscordGatewayClosedException(fatal, reason));
        }

        return closeCode is { } code && DiscordGatewayCloseCodes.InvalidatesSession(code)
            ? new ConnectionResult(NextStep.IdentifyWithBackoff, established)
            : new ConnectionResult(NextStep.ReconnectWithBackoff, established);
    }

    private void ClearSession()
    {
        lock (_lock)
        {
            _sessionId = null;
            _resumeUrl = null;
            _sequence = null;
        }
    }

    private TimeSpan Backoff(int failures)
    {
        var exponential = options.ReconnectBaseDelay * Math.Pow(2, Math.Min(failures - 1, 16));
        var capped = exponential > options.ReconnectMaxDelay ? options.ReconnectMaxDelay : exponential;
        return capped * (0.5 + (Random.Shared.NextDouble() * 0.5));
    }

    private static TimeSpan RandomBetween(TimeSpan min, TimeSpan max) => min + ((max - min) * Random.Shared.NextDouble());

    private static Uri BuildUri(string baseUrl)
    {
        var builder = new UriBuilder(baseUrl);
        builder.Query = "v=10&encoding=json";
        return builder.Uri;
    }

    private enum NextStep
    {
        ReconnectNow,
        ReconnectWithBackoff,
        IdentifyWithBackoff,
        IdentifyAfterInvalidSession,
        Fatal,
    }

    private sealed record ConnectionResult(NextStep Next, bool Established, Exception? Fatal = null);

    private sealed class ConnectionState(ClientWebSocket socket)
    {
        private volatile bool _awaitingAck;
        private volatile bool _zombie;

        public ClientWebSocket Socket { get; } = socket;
        public SemaphoreSlim SendLock { get; } = new(1, 1);
        public ArrayBufferWriter<byte> Buffer { get; } = new(16 * 1024);
        public bool AwaitingAck { get => _awaitingAck; set => _awaitingAck = value; }
        public bool Zombie { get => _zombie; set => _zombie = value; }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway connected (resume: {Resume})")]
    private static partial void LogConnected(ILogger logger, bool resume);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway session established by {EventName}")]
    private static partial void LogSessionEstablished(ILogger logger, string eventName);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway connection failed (resume: {Resume})")]
    private static partial void LogConnectionFailed(ILogger logger, Exception exception, bool resume);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway reconnecting ({Next}) in {DelayMs} ms")]
    private static partial void LogReconnecting(ILogger logger, string next, double delayMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Discord gateway asked us to reconnect (op 7)")]
    private static partial void LogReconnectRequested(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway invalidated the session (resumable: {Resumable})")]
    private static partial void LogInvalidSession(ILogger logger, bool resumable);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway missed a heartbeat ACK; treating the connection as zombied")]
    private static partial void LogZombie(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Discord gateway closed by the server with {CloseCode}: {Reason}")]
    private static partial void LogClosedByServer(ILogger logger, int? closeCode, string? reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Discord dispatch handler failed for {EventName}")]
    private static partial void LogDispatchHandlerFailed(ILogger logger, Exception exception, string eventName);
}
