using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using GitMesh.Api.Tests.Triage;
using GitMesh.Data;
using GitMesh.TestCommon;
using Microsoft.EntityFrameworkCore;

namespace GitMesh.Api.Tests.Signals;

/// <summary>
/// The .NET SignalR client is not in our registry, so these tests speak the SignalR JSON hub protocol over a raw
/// WebSocket: handshake, invocation (type 1), completion (type 3), record separator 0x1E.
/// </summary>
public sealed class RealtimeTests
{
    private const char RecordSeparator = '\u001e';

    [Theory, Providers]
    public async Task A_hub_client_receives_signalCreated_for_its_workspace_only(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        var a = await factory.CreateTenantAsync("A");
        var b = await factory.CreateTenantAsync("B");
        using var socket = await ConnectAsync(factory, a.Token);

        var joined = await InvokeAsync(socket, "JoinWorkspace", a.WorkspaceId.ToString());
        joined.TryGetProperty("error", out _).ShouldBeFalse(joined.ToString());
        var denied = await InvokeAsync(socket, "JoinWorkspace", b.WorkspaceId.ToString());
        denied.GetProperty("error").GetString()!.ShouldContain("Workspace not found");

        using var asB = factory.CreateClient(b.Token);
        (await asB.PostAsJsonAsync($"/api/v1/workspaces/{b.WorkspaceId}/signals/ingest", new[] { new { source = "github", kind = "issue", externalId = "b-1", title = "B's signal", body = "only for B" } })).EnsureSuccessStatusCode();
        using var asA = factory.CreateClient(a.Token);
        (await asA.PostAsJsonAsync($"/api/v1/workspaces/{a.WorkspaceId}/signals/ingest", new[] { new { source = "github", kind = "issue", externalId = "a-1", title = "A's signal", body = "only for A" } })).EnsureSuccessStatusCode();

        var created = await ReceiveUntilAsync(socket, m => m.GetProperty("target").GetString() == "signalCreated");
        var payload = created.GetProperty("arguments")[0];
        payload.GetProperty("workspaceId").GetGuid().ShouldBe(a.WorkspaceId);
        payload.GetProperty("sequence").GetInt64().ShouldBeGreaterThan(0);

        // B's event was committed first; had it been sent to this client it would have arrived before A's.
        await using var db = factory.Database.CreateContext();
        var signalA = db.Signals.Single(s => s.ExternalId == "a-1");
        payload.GetProperty("signalId").GetGuid().ShouldBe(signalA.Id);
    }

    [Theory, Providers]
    public async Task A_client_that_reconnects_catches_up_on_the_events_it_missed_and_continues_live(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        var a = await factory.CreateTenantAsync("A");
        var b = await factory.CreateTenantAsync("B");
        using var asA = factory.CreateClient(a.Token);
        using var asB = factory.CreateClient(b.Token);
        var ws = $"/api/v1/workspaces/{a.WorkspaceId}";

        long lastSeen;
        using (var socket = await ConnectAsync(factory, a.Token))
        {
            (await InvokeAsync(socket, "JoinWorkspace", a.WorkspaceId.ToString())).TryGetProperty("error", out _).ShouldBeFalse();
            await IngestAsync(asA, a.WorkspaceId, "before-drop");
            var live = await ReceiveUntilAsync(socket, m => m.GetProperty("target").GetString() == "signalCreated");
            lastSeen = live.GetProperty("arguments")[0].GetProperty("sequence").GetInt64();
            await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "network drop", CancellationToken.None);
        }

        // While the client is away: two signals for A, one for B.
        await IngestAsync(asA, a.WorkspaceId, "missed-1");
        await IngestAsync(asB, b.WorkspaceId, "other-tenant");
        await IngestAsync(asA, a.WorkspaceId, "missed-2");
        await TestWait.UntilAsync(async () =>
        {
            await using var db = factory.Database.CreateContext();
            return await db.Signals.CountAsync() == 4;
        }, "the signals ingested while disconnected are processed");

        // Reconnect: join first (so nothing falls between catch-up and live), then catch up from the last sequence seen.
        using var again = await ConnectAsync(factory, a.Token);
        (await InvokeAsync(again, "JoinWorkspace", a.WorkspaceId.ToString())).TryGetProperty("error", out _).ShouldBeFalse();
        var caughtUp = new List<EventDto>();
        var since = lastSeen;
        while (true)
        {
            var page = await (await asA.GetAsync($"{ws}/events?since={since}&limit=1")).ReadAsync<EventsPageDto>();
            caughtUp.AddRange(page.Items);
            since = page.LastSequence;
            if (!page.HasMore)
            {
                break;
            }
        }

        await using (var db = factory.Database.CreateContext())
        {
            var missed = await db.Signals.Where(s => s.ExternalId == "missed-1" || s.ExternalId == "missed-2").OrderBy(s => s.ExternalId).Select(s => s.Id).ToListAsync();
            caughtUp.Where(e => e.Type == "signalCreated").Select(e => e.Payload.GetProperty("signalId").GetGuid()).ShouldBe(missed, ignoreOrder: true);
        }

        caughtUp.ShouldAllBe(e => e.Sequence > lastSeen && e.Payload.GetProperty("workspaceId").GetGuid() == a.WorkspaceId);
        caughtUp.Select(e => e.Sequence).ShouldBeInOrder();

        await IngestAsync(asA, a.WorkspaceId, "after-reconnect");
        var next = await ReceiveUntilAsync(again, m => m.GetProperty("target").GetString() == "signalCreated"
            && m.GetProperty("arguments")[0].GetProperty("sequence").GetInt64() > since);
        await using (var db = factory.Database.CreateContext())
        {
            var id = await db.Signals.Where(s => s.ExternalId == "after-reconnect").Select(s => s.Id).SingleAsync();
            next.GetProperty("arguments")[0].GetProperty("signalId").GetGuid().ShouldBe(id);
        }
    }

    private static async Task IngestAsync(HttpClient client, Guid workspaceId, string externalId) =>
        (await client.PostAsJsonAsync($"/api/v1/workspaces/{workspaceId}/signals/ingest", new[] { new { source = "github", kind = "issue", externalId, title = $"Signal {externalId}", body = $"Body of {externalId} with its own words {Guid.NewGuid():N}" } })).EnsureSuccessStatusCode();

    [Theory, Providers]
    public async Task The_hub_refuses_anonymous_connections(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider);
        var ws = factory.Server.CreateWebSocketClient();
        await Should.ThrowAsync<Exception>(() => ws.ConnectAsync(new Uri(factory.Server.BaseAddress, "hubs/events"), CancellationToken.None));
    }

    internal static async Task<WebSocket> ConnectAsync(ApiFactory factory, string token)
    {
        var client = factory.Server.CreateWebSocketClient();
        var uri = new UriBuilder(factory.Server.BaseAddress) { Scheme = "ws", Path = "/hubs/events", Query = $"access_token={Uri.EscapeDataString(token)}" }.Uri;
        var socket = await client.ConnectAsync(uri, CancellationToken.None);
        await SendAsync(socket, "{\"protocol\":\"json\",\"version\":1}");
        var handshake = await ReceiveFrameAsync(socket);
        handshake.ShouldBe("{}");
        return socket;
    }

    internal static async Task<JsonElement> InvokeAsync(WebSocket socket, string target, params object[] arguments)
    {
        var id = Guid.NewGuid().ToString("N");
        await SendAsync(socket, JsonSerializer.Serialize(new { type = 1, invocationId = id, target, arguments }));
        return await ReceiveUntilAsync(socket, m => m.GetProperty("type").GetInt32() == 3 && m.GetProperty("invocationId").GetString() == id);
    }

    internal static async Task<JsonElement> ReceiveUntilAsync(WebSocket socket, Func<JsonElement, bool> match)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        while (true)
        {
            var frame = await ReceiveFrameAsync(socket, timeout.Token);
            foreach (var record in frame.Split(RecordSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                var message = JsonDocument.Parse(record).RootElement.Clone();
                if (message.GetProperty("type").GetInt32() is 1 or 3 && match(message))
                {
                    return message;
                }
            }
        }
    }

    private static Task SendAsync(WebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json + RecordSeparator), WebSocketMessageType.Text, true, CancellationToken.None);

    private static async Task<string> ReceiveFrameAsync(WebSocket socket, CancellationToken ct = default)
    {
        var buffer = new byte[64 * 1024];
        var sb = new StringBuilder();
        WebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer, ct);
            sb.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }
        while (!result.EndOfMessage);
        return sb.ToString().TrimEnd(RecordSeparator);
    }
}
