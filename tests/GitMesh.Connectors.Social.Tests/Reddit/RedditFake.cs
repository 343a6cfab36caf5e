using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;

namespace GitMesh.Connectors.Social.Tests.Reddit;

/// <summary>
/// Stateful fake of Reddit's app-only OAuth and listing API: issues tokens for one client, serves newest-first
/// listings with <c>after</c> paging and rate-limit headers, and answers 401 for unknown tokens.
/// </summary>
public sealed class RedditFake : IAsyncDisposable
{
    public const string ClientId = "app-client-id";
    public const string ClientSecret = "app-client-SECRET-value";

    private readonly ConcurrentDictionary<string, bool> _validTokens = new();
    private int _issued;

    private RedditFake()
    {
    }

    public LoopbackServer Server { get; private set; } = null!;

    /// <summary>Listings by feed key ("new:askreddit", "comments:askreddit", "search:term"), newest first.</summary>
    public ConcurrentDictionary<string, List<JsonObject>> Listings { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>One-shot responses for the next API (non-token) requests: errors, broken bodies.</summary>
    public ConcurrentQueue<Func<HttpContext, Task>> NextApiResponses { get; } = new();

    public bool RefuseClientCredentials { get; set; }

    public string RateLimitRemaining { get; set; } = "599.0";

    public string RateLimitReset { get; set; } = "300";

    public IReadOnlyList<RecordedRequest> TokenRequests => Server.Requests.Where(r => r.Path == "/api/v1/access_token").ToList();

    public IReadOnlyList<RecordedRequest> ApiRequests => Server.Requests.Where(r => r.Path != "/api/v1/access_token").ToList();

    public static async Task<RedditFake> StartAsync()
    {
        var fake = new RedditFake();
        fake.Server = await LoopbackServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public void RevokeAllTokens() => _validTokens.Clear();

    public Dictionary<string, string?> Configuration(TimeSpan? editLookback = null, int pageSize = 100) => new()
    {
        ["Connectors:Reddit:AuthBaseUrl"] = Server.BaseAddress.ToString(),
        ["Connectors:Reddit:ApiBaseUrl"] = Server.BaseAddress.ToString(),
        ["Connectors:Reddit:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
        ["Connectors:Reddit:EditLookback"] = (editLookback ?? TimeSpan.FromHours(1)).ToString("c", CultureInfo.InvariantCulture),
        ["Connectors:Reddit:UserAgent"] = "test:gitmesh:1.0 (by /u/gitmesh-tests)",
    };

    public static Dictionary<string, string> Credentials() => new() { ["clientId"] = ClientId, ["clientSecret"] = ClientSecret };

    /// <summary>The five 2016 /r/AskReddit/new posts of the PRAW cassette, newest first.</summary>
    public static List<JsonObject> FixturePosts() =>
        ConnectorHarness.Fixture("reddit/r_askreddit_new.limit100.first5children.json")["data"]!["children"]!.AsArray()
            .Select(c => c!.DeepClone().AsObject())
            .ToList();

    /// <summary>A post shaped like the fixture's first one, with its own id, time and text.</summary>
    public static JsonObject Post(string id, double createdUtc, string title, string selftext = "")
    {
        var post = FixturePosts()[0];
        var data = post["data"]!.AsObject();
        data["id"] = id;
        data["name"] = "t3_" + id;
        data["created_utc"] = createdUtc;
        data["created"] = createdUtc + 28800;
        data["title"] = title;
        data["selftext"] = selftext;
        data["permalink"] = $"/r/AskReddit/comments/{id}/slug/";
        data["url"] = $"https://www.reddit.com/r/AskReddit/comments/{id}/slug/";
        return post;
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        if (request.Path == "/api/v1/access_token")
        {
            await IssueTokenAsync(context);
            return;
        }

        if (NextApiResponses.TryDequeue(out var next))
        {
            await next(context);
            return;
        }

        var authorization = request.Headers.Authorization.ToString();
        if (!authorization.StartsWith("bearer ", StringComparison.Ordinal) || !_validTokens.ContainsKey(authorization["bearer ".Length..]))
        {
            await WriteJsonAsync(context, 401, """{"message": "Unauthorized", "error": 401}""");
            return;
        }

        var path = request.Path.Value!.Trim('/').Split('/');
        var key = path switch
        {
            ["r", var sub, "new"] => "new:" + sub,
            ["r", var sub, "comments"] => "comments:" + sub,
            ["search"] => "search:" + request.Query["q"],
            _ => null,
        };
        if (key is null)
        {
            await WriteJsonAsync(context, 404, """{"message": "Not Found", "error": 404}""");
            return;
        }

        var items = Listings.TryGetValue(key, out var list) ? list : [];
        var after = request.Query["after"].ToString();
        var start = string.IsNullOrEmpty(after) ? 0 : items.FindIndex(i => (string?)i["data"]!["name"] == after) + 1;
        var limit = int.Parse(request.Query["limit"].ToString(), CultureInfo.InvariantCulture);
        var page = items.Skip(start).Take(limit).ToList();
        var nextAfter = start + limit < items.Count ? (string?)page[^1]["data"]!["name"] : null;
        var listing = new JsonObject
        {
            ["kind"] = "Listing",
            ["data"] = new JsonObject
            {
                ["after"] = nextAfter,
                ["dist"] = page.Count,
                ["modhash"] = "",
                ["children"] = new JsonArray(page.Select(p => (JsonNode)p.DeepClone()).ToArray()),
                ["before"] = null,
            },
        };
        context.Response.Headers["x-ratelimit-used"] = "1";
        context.Response.Headers["x-ratelimit-remaining"] = RateLimitRemaining;
        context.Response.Headers["x-ratelimit-reset"] = RateLimitReset;
        await WriteJsonAsync(context, 200, listing.ToJsonString());
    }

    private async Task IssueTokenAsync(HttpContext context)
    {
        var expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ClientId}:{ClientSecret}"));
        var form = await context.Request.ReadFormAsync();
        if (RefuseClientCredentials || context.Request.Headers.Authorization != expected || form["grant_type"] != "client_credentials")
        {
            await WriteJsonAsync(context, 401, """{"message": "Unauthorized", "error": 401}""");
            return;
        }

        var token = $"app-token-{Interlocked.Increment(ref _issued)}";
        _validTokens[token] = true;
        await WriteJsonAsync(context, 200, $$"""{"access_token": "{{token}}", "token_type": "bearer", "expires_in": 86400, "scope": "*"}""");
    }

    public static async Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        await context.Response.WriteAsync(json);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
