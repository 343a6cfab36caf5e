using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json.Nodes;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;

namespace GitMesh.Connectors.Social.Tests.X;

/// <summary>
/// Stateful fake of X API v2 recent search: bearer auth, since_id / start_time filtering, newest-first pages with
/// <c>next_token</c>, <c>includes.users</c> for the author expansion, and rate-limit headers.
/// </summary>
public sealed class XFake : IAsyncDisposable
{
    public const string BearerToken = "AAAA-test-bearer-token-SECRET";
    private const long SnowflakeEpochMs = 1288834974657;

    private XFake()
    {
    }

    public LoopbackServer Server { get; private set; } = null!;

    /// <summary>All posts the search matches, any order.</summary>
    public ConcurrentDictionary<string, JsonObject> Posts { get; } = new();

    public ConcurrentDictionary<string, JsonObject> Users { get; } = new();

    public ConcurrentQueue<Func<HttpContext, Task>> NextResponses { get; } = new();

    public int RateLimitRemaining { get; set; } = 449;

    public long RateLimitReset { get; set; } = 1717243200;

    public IReadOnlyList<RecordedRequest> SearchRequests => Server.Requests.Where(r => r.Path == "/2/tweets/search/recent").ToList();

    public static async Task<XFake> StartAsync()
    {
        var fake = new XFake();
        fake.Server = await LoopbackServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public Dictionary<string, string?> Configuration(int maxResults = 10) => new()
    {
        ["Connectors:X:ApiBaseUrl"] = Server.BaseAddress.ToString(),
        ["Connectors:X:MaxResults"] = maxResults.ToString(CultureInfo.InvariantCulture),
    };

    public static Dictionary<string, string> Credentials() => new() { ["bearerToken"] = BearerToken };

    public static string IdAt(DateTimeOffset time, int sequence = 0) =>
        (((ulong)(time.ToUnixTimeMilliseconds() - SnowflakeEpochMs) << 22) + (ulong)sequence).ToString(CultureInfo.InvariantCulture);

    /// <summary>A post shaped like the docs' recent-search example with fields and the author expansion.</summary>
    public JsonObject AddPost(DateTimeOffset createdAt, string text, string authorId = "9876543210", string? repliedTo = null, string? editOf = null)
    {
        var id = IdAt(createdAt);
        var post = new JsonObject
        {
            ["id"] = id,
            ["text"] = text,
            ["created_at"] = createdAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
            ["author_id"] = authorId,
            ["conversation_id"] = repliedTo ?? id,
            ["lang"] = "en",
            ["public_metrics"] = new JsonObject { ["retweet_count"] = 5, ["reply_count"] = 2, ["like_count"] = 42, ["quote_count"] = 1 },
            ["edit_history_tweet_ids"] = editOf is null ? new JsonArray(id) : new JsonArray(editOf, id),
        };
        if (repliedTo is not null)
        {
            post["referenced_tweets"] = new JsonArray(new JsonObject { ["type"] = "replied_to", ["id"] = repliedTo });
        }

        Posts[id] = post;
        Users.TryAdd(authorId, new JsonObject { ["id"] = authorId, ["name"] = "Python Dev", ["username"] = "pythondev" });
        return post;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (NextResponses.TryDequeue(out var next))
        {
            await next(context);
            return;
        }

        if (context.Request.Headers.Authorization != $"Bearer {BearerToken}")
        {
            await WriteJsonAsync(context, 401, """{"title": "Unauthorized", "type": "about:blank", "status": 401, "detail": "Unauthorized"}""");
            return;
        }

        if (context.Request.Path.StartsWithSegments("/2/users/by/username", out var rest))
        {
            var username = rest.Value!.Trim('/');
            var user = new JsonObject { ["id"] = "2244994945", ["name"] = "Developers", ["username"] = username };
            await WriteJsonAsync(context, 200, new JsonObject { ["data"] = user }.ToJsonString());
            return;
        }

        var query = context.Request.Query;
        var matches = Posts.Values.AsEnumerable();
        if (query.TryGetValue("since_id", out var sinceId))
        {
            var since = ulong.Parse(sinceId!, CultureInfo.InvariantCulture);
            matches = matches.Where(p => ulong.Parse((string)p["id"]!, CultureInfo.InvariantCulture) > since);
        }

        if (query.TryGetValue("start_time", out var startTime))
        {
            var start = DateTimeOffset.Parse(startTime!, CultureInfo.InvariantCulture);
            matches = matches.Where(p => p["created_at"] is null || DateTimeOffset.Parse((string)p["created_at"]!, CultureInfo.InvariantCulture) >= start);
        }

        // Like X's tokens, a next_token continues below the last post served, so posts arriving meanwhile shift nothing.
        if (query.TryGetValue("next_token", out var token))
        {
            var below = ulong.Parse(token.ToString()["below-".Length..], CultureInfo.InvariantCulture);
            matches = matches.Where(p => ulong.Parse((string)p["id"]!, CultureInfo.InvariantCulture) < below);
        }

        var ordered = matches.OrderByDescending(p => ulong.Parse((string)p["id"]!, CultureInfo.InvariantCulture)).ToList();
        var size = int.Parse(query["max_results"]!, CultureInfo.InvariantCulture);
        var page = ordered.Take(size).ToList();
        var meta = new JsonObject { ["result_count"] = page.Count };
        var body = new JsonObject();
        if (page.Count > 0)
        {
            body["data"] = new JsonArray(page.Select(p => (JsonNode)p.DeepClone()).ToArray());
            var authors = page.Select(p => (string?)p["author_id"]).Where(a => a is not null && Users.ContainsKey(a)).Distinct().ToList();
            if (authors.Count > 0)
            {
                body["includes"] = new JsonObject { ["users"] = new JsonArray(authors.Select(a => (JsonNode)Users[a!].DeepClone()).ToArray()) };
            }

            meta["newest_id"] = (string)page[0]["id"]!;
            meta["oldest_id"] = (string)page[^1]["id"]!;
        }

        if (size < ordered.Count)
        {
            meta["next_token"] = $"below-{page[^1]["id"]}";
        }

        body["meta"] = meta;
        context.Response.Headers["x-rate-limit-limit"] = "450";
        context.Response.Headers["x-rate-limit-remaining"] = RateLimitRemaining.ToString(CultureInfo.InvariantCulture);
        context.Response.Headers["x-rate-limit-reset"] = RateLimitReset.ToString(CultureInfo.InvariantCulture);
        await WriteJsonAsync(context, 200, body.ToJsonString());
    }

    public static async Task WriteJsonAsync(HttpContext context, int status, string json)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json; charset=utf-8";
        await context.Response.WriteAsync(json);
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
