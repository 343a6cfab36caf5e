using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GitMesh.Api.Tests.Triage;
using GitMesh.Data;
using GitMesh.Domain.Webhooks;
using GitMesh.TestCommon;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Analytics;

public sealed record OutgoingWebhookDto(Guid Id, string Url, List<string> Events, bool Enabled, string? Secret);

public sealed record DeliveryDto(Guid Id, long Sequence, string EventType, string Status, int Attempts, int? LastStatusCode, string? LastError);

public sealed class OutgoingWebhookTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory, Providers]
    public async Task Admin_crud_hides_the_secret_and_rejects_private_targets(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        var url = $"{Ws(tenant.WorkspaceId)}/outgoing-webhooks";

        foreach (var target in new[]
                 {
                     "http://127.0.0.1/hook", "http://127.1.2.3:8080/", "http://10.0.0.5/hook", "http://172.16.9.1/", "http://192.168.1.1/",
                     "http://169.254.169.254/latest/meta-data", "http://localhost:5080/", "http://[::1]/", "http://[::ffff:10.0.0.1]/",
                     "http://0.0.0.0/", "ftp://example.com/hook", "file:///etc/passwd", "not a url", "https://user:pw@example.com/",
                 })
        {
            var rejected = await client.PostAsJsonAsync(url, new { url = target, events = new[] { "signalCreated" } });
            rejected.StatusCode.ShouldBe(HttpStatusCode.BadRequest, target);
            var problem = JsonDocument.Parse(await rejected.Content.ReadAsStringAsync()).RootElement;
            problem.GetProperty("errors").TryGetProperty("url", out _).ShouldBeTrue(target);
        }

        (await client.PostAsJsonAsync(url, new { url = "https://93.184.215.14/hook", events = new[] { "nope" } })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        var created = await (await client.PostAsJsonAsync(url, new { url = "https://93.184.215.14/hook", events = new[] { "signalCreated", "clusterUpdated" } }))
            .ReadAsync<OutgoingWebhookDto>();
        created.Secret.ShouldNotBeNullOrEmpty();
        created.Enabled.ShouldBeTrue();
        await using (var db = factory.Database.CreateContext())
        {
            var row = await db.Set<OutgoingWebhook>().SingleAsync(h => h.Id == created.Id);
            row.SecretProtected.ShouldNotContain(created.Secret!);
            (await db.AuditLog.AnyAsync(a => a.WorkspaceId == tenant.WorkspaceId && a.Action == "outgoing_webhook.created")).ShouldBeTrue();
        }

        var listed = await (await client.GetAsync(url)).ReadAsync<List<OutgoingWebhookDto>>();
        listed.Single().Secret.ShouldBeNull();
        var patched = await (await client.PatchAsJsonAsync($"{url}/{created.Id}", new { enabled = false, events = new[] { "*" } })).ReadAsync<OutgoingWebhookDto>();
        patched.Enabled.ShouldBeFalse();
        patched.Events.ShouldBe(["*"]);
        (await client.PatchAsJsonAsync($"{url}/{created.Id}", new { url = "http://10.1.1.1/" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        // Admins only; other tenants see nothing.
        var (_, memberToken) = await AddMemberAsync(factory, tenant, "member");
        using var member = factory.CreateClient(memberToken);
        (await member.GetAsync(url)).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        var other = await factory.CreateTenantAsync("Other");
        using var otherClient = factory.CreateClient(other.Token);
        (await otherClient.GetAsync($"{url}/{created.Id}/deliveries")).StatusCode.ShouldBe(HttpStatusCode.NotFound);

        (await client.DeleteAsync($"{url}/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await client.GetAsync($"{url}/{created.Id}")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    [Theory, Providers]
    public async Task Deliveries_are_signed_retried_on_5xx_and_fail_after_the_last_attempt(DatabaseProvider provider)
    {
        await using var factory = await ApiFactory.CreateAsync(provider, new Dictionary<string, string?>
        {
            ["OutgoingWebhooks:AllowPrivateTargets"] = "true",
            ["OutgoingWebhooks:MaxAttempts"] = "3",
            ["OutgoingWebhooks:InitialBackoffSeconds"] = "0.1",
            ["OutgoingWebhooks:PollIntervalMilliseconds"] = "50",
        });
        var flakyCalls = 0;
        await using var receiver = await Receiver.StartAsync(context =>
        {
            // /flaky fails once then succeeds; /down always fails.
            var fail = context.Request.Path == "/down" || (context.Request.Path == "/flaky" && Interlocked.Increment(ref flakyCalls) == 1);
            context.Response.StatusCode = fail ? 500 : 204;
            return Task.CompletedTask;
        });
        var tenant = await factory.CreateTenantAsync();
        using var client = factory.CreateClient(tenant.Token);
        var hooks = $"{Ws(tenant.WorkspaceId)}/outgoing-webhooks";
        var flaky = await (await client.PostAsJsonAsync(hooks, new { url = new Uri(receiver.BaseAddress, "flaky").ToString(), events = new[] { "signalUpdated" } })).ReadAsync<OutgoingWebhookDto>();
        var down = await (await client.PostAsJsonAsync(hooks, new { url = new Uri(receiver.BaseAddress, "down").ToString(), events = new[] { "*" } })).ReadAsync<OutgoingWebhookDto>();
        // Not subscribed to signalUpdated: gets nothing.
        var unsubscribed = await (await client.PostAsJsonAsync(hooks, new { url = new Uri(receiver.BaseAddress, "other").ToString(), events = new[] { "signalCreated" } })).ReadAsync<OutgoingWebhookDto>();

        var signal = (await new TriageSeed(factory, tenant.WorkspaceId).AddAsync(1)).Single();
        (await client.PatchAsJsonAsync($"{Ws(tenant.WorkspaceId)}/signals/{signal.Id}", new { triageStatus = "triaged" })).EnsureSuccessStatusCode();

        async Task<DeliveryDto?> DeliveryOf(OutgoingWebhookDto hook) =>
            (await (await client.GetAsync($"{hooks}/{hook.Id}/deliveries")).ReadAsync<List<DeliveryDto>>()).SingleOrDefault();
        await TestWait.UntilAsync(async () => (await DeliveryOf(flaky))?.Status == "succeeded", "the flaky delivery succeeds", TimeSpan.FromSeconds(60));
        await TestWait.UntilAsync(async () => (await DeliveryOf(down))?.Status == "failed", "the failing delivery gives up", TimeSpan.FromSeconds(60));

        var ok = (await DeliveryOf(flaky))!;
        ok.Attempts.ShouldBe(2);
        ok.EventType.ShouldBe("signalUpdated");
        ok.LastStatusCode.ShouldBe(204);
        var failed = (await DeliveryOf(down))!;
        failed.Attempts.ShouldBe(3);
        failed.LastStatusCode.ShouldBe(500);
        failed.LastError.ShouldNotBeNull();
        failed.LastError.ShouldContain("Gave up after 3 attempts");
        failed.LastError.ShouldContain("HTTP 500");
        (await DeliveryOf(unsubscribed)).ShouldBeNull();

        var requests = receiver.Requests.Where(r => r.Path == "/flaky").ToList();
        requests.Count.ShouldBe(2);
        receiver.Requests.Count(r => r.Path == "/down").ShouldBe(3);
        foreach (var request in requests)
        {
            request.Headers["X-GitMesh-Event"].ShouldBe("signalUpdated");
            var signature = request.Headers["X-GitMesh-Signature"].Split(',').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => p[1]);
            var expected = Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(flaky.Secret!), Encoding.UTF8.GetBytes(signature["t"] + "." + request.Body)));
            signature["v1"].ShouldBe(expected);
            long.Parse(signature["t"], System.Globalization.CultureInfo.InvariantCulture).ShouldBeInRange(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 300, DateTimeOffset.UtcNow.ToUnixTimeSeconds() + 5);
            var body = JsonDocument.Parse(request.Body).RootElement;
            body.GetProperty("type").GetString().ShouldBe("signalUpdated");
            body.GetProperty("workspaceId").GetGuid().ShouldBe(tenant.WorkspaceId);
            body.GetProperty("data").GetProperty("signalId").GetGuid().ShouldBe(signal.Id);
        }

        await using var db = factory.Database.CreateContext();
        (await db.Set<OutgoingWebhookDelivery>().CountAsync(d => d.WebhookId == flaky.Id)).ShouldBe(1);
    }

    /// <summary>A Kestrel server on 127.0.0.1 recording what it receives.</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly ConcurrentQueue<(string Path, Dictionary<string, string> Headers, string Body)> _requests = new();

        private Receiver(WebApplication app) => _app = app;

        public Uri BaseAddress { get; private set; } = null!;

        public IReadOnlyList<(string Path, Dictionary<string, string> Headers, string Body)> Requests => _requests.ToArray();

        public static async Task<Receiver> StartAsync(Func<HttpContext, Task> handler)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
            var app = builder.Build();
            var receiver = new Receiver(app);
            app.Run(async context =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                receiver._requests.Enqueue((context.Request.Path.Value ?? "/",
                    context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase), body));
                await handler(context);
            });
            await app.StartAsync();
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            receiver.BaseAddress = new Uri(address.TrimEnd('/') + "/");
            return receiver;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
