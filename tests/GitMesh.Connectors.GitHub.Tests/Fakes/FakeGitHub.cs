using System.Collections.Concurrent;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace GitMesh.Connectors.GitHub.Tests.Fakes;

/// <summary>
/// A stateful fake of the GitHub REST + GraphQL endpoints the connector uses, speaking the documented protocol:
/// <c>since</c>/<c>sort=updated</c>/<c>direction=asc</c>/<c>per_page</c>/<c>page</c> with RFC 8288 Link headers, bearer auth,
/// GitHub App token exchange and GraphQL cursors. Its issues and comments are the real fixture objects
/// (octokit paginate-issues, webhook comment payloads) with distinct update times.
/// </summary>
internal sealed class FakeGitHub : IAsyncDisposable
{
    public const string Owner = "octokit-fixture-org";
    public const string Repo = "paginate-issues";
    public const string FullName = Owner + "/" + Repo;
    public const string Token = "ghp_fake_personal_token";
    public const string InstallationToken = "ghs_fake_installation_token";
    public static readonly DateTimeOffset T0 = new(2024, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private readonly object _gate = new();

    private FakeGitHub(LoopbackServer server) => Server = server;

    public LoopbackServer Server { get; }

    public Uri BaseUrl => Server.BaseAddress;

    public List<JsonObject> Issues { get; } = [];

    public List<JsonObject> Comments { get; } = [];

    public List<JsonObject> Discussions { get; } = [];

    public List<JsonObject> Repositories { get; } = [];

    /// <summary>Canned failures served, in order, instead of the next matching requests.</summary>
    public ConcurrentQueue<Func<HttpContext, Task>> Faults { get; } = new();

    /// <summary>When set, requests whose path starts with this prefix receive <see cref="Faults"/>; others pass.</summary>
    public string? FaultPathPrefix { get; set; }

    public RSA? AppKey { get; set; }

    public string AppId { get; set; } = "12345";

    public int TokenExchanges;

    /// <summary>Nested discussion comments per page, to exercise the follow-up comments query.</summary>
    public int NestedCommentsPageSize { get; set; } = 2;

    public static async Task<FakeGitHub> StartAsync()
    {
        FakeGitHub? fake = null;
        var server = await LoopbackServer.StartAsync(async context =>
        {
            try
            {
                await fake!.HandleAsync(context);
            }
            catch (Exception ex) when (!context.Response.HasStarted)
            {
                // Surface fake bugs in the client's exception message instead of a bare 500.
                await WriteJsonAsync(context, 500, new JsonObject { ["message"] = "fake failed: " + ex });
            }
        });
        fake = new FakeGitHub(server);
        fake.Seed();
        return fake;
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    public IEnumerable<RecordedRequest> RequestsTo(string pathPrefix) => Server.Requests.Where(r => r.Path.StartsWith(pathPrefix, StringComparison.Ordinal));

    /// <summary>Edits an issue the way GitHub does: new content and a later updated_at.</summary>
    public void EditIssue(int number, string title, DateTimeOffset updatedAt)
    {
        lock (_gate)
        {
            var issue = Issues.Single(i => (int)i["number"]! == number);
            issue["title"] = title;
            issue["updated_at"] = Iso(updatedAt);
        }
    }

    private void Seed()
    {
        // The 13 issues of octokit's recorded paginate-issues scenario, oldest id updated first, one minute apart.
        var recorded = Fixture.PaginateIssues().SelectMany(exchange => exchange!["response"]!.AsArray()).Select(i => i!.DeepClone().AsObject()).ToList();
        foreach (var issue in recorded.OrderBy(i => LongOf(i["id"])))
        {
            issue["updated_at"] = Iso(T0.AddMinutes(LongOf(issue["id"]) - 1000));
            Issues.Add(issue);
        }

        // One pull request in the listing, as GitHub returns them: an issue with a pull_request key.
        var pr = recorded[0].DeepClone().AsObject();
        pr["id"] = 2000;
        pr["number"] = 14;
        pr["title"] = "A pull request";
        pr["html_url"] = $"https://github.com/{FullName}/pull/14";
        pr["pull_request"] = new JsonObject { ["url"] = $"https://api.github.com/repos/{FullName}/pulls/14" };
        pr["updated_at"] = Iso(T0.AddMinutes(20));
        Issues.Add(pr);

        // Comments: the webhook fixture's REST comment object, re-parented onto issues of this repository.
        var template = Fixture.Json("webhooks/issue_comment.created.payload.json")["comment"]!;
        for (var i = 1; i <= 4; i++)
        {
            var comment = template.DeepClone().AsObject();
            var onPr = i == 4;
            var number = onPr ? 14 : 13 - i;
            comment["id"] = 5000 + i;
            comment["body"] = $"Comment {i}";
            comment["issue_url"] = $"https://api.github.com/repos/{FullName}/issues/{number}";
            comment["html_url"] = $"https://github.com/{FullName}/{(onPr ? "pull" : "issues")}/{number}#issuecomment-{5000 + i}";
            comment["updated_at"] = Iso(T0.AddMinutes(30 + i));
            Comments.Add(comment);
        }

        // Discussions in GraphQL shape, built from the webhook discussion fixture.
        var discussion = Fixture.Json("webhooks/discussion.created.payload.json")["discussion"]!;
        var discussionComment = Fixture.Json("webhooks/discussion_comment.created.payload.json")["comment"]!;
        for (var n = 1; n <= 7; n++)
        {
            var comments = new JsonArray();
            for (var c = 1; c <= (n == 7 ? 3 : 1); c++)
            {
                comments.Add(new JsonObject
                {
                    ["id"] = $"DC_{n}_{c}",
                    ["databaseId"] = LongOf(discussionComment["id"]) + (n * 10) + c,
                    ["body"] = $"{discussionComment["body"]} {n}.{c}",
                    ["url"] = $"https://github.com/{FullName}/discussions/{n}#discussioncomment-{n}{c}",
                    ["createdAt"] = Iso(T0.AddHours(n)),
                    ["updatedAt"] = Iso(T0.AddHours(n)),
                    ["isAnswer"] = c == 1 && n == 7,
                    ["author"] = Actor(discussionComment["user"]!),
                });
            }

            Discussions.Add(new JsonObject
            {
                ["id"] = $"D_{n}",
                ["databaseId"] = LongOf(discussion["id"]) + n,
                ["number"] = n,
                ["title"] = $"{discussion["title"]} {n}",
                ["body"] = discussion["body"]!.DeepClone(),
                ["url"] = $"https://github.com/{FullName}/discussions/{n}",
                ["createdAt"] = discussion["created_at"]!.DeepClone(),
                ["updatedAt"] = Iso(T0.AddHours(n)),
                ["closed"] = false,
                ["answerChosenAt"] = null,
                ["author"] = Actor(discussion["user"]!),
                ["category"] = new JsonObject { ["name"] = discussion["category"]!["name"]!.DeepClone() },
                ["labels"] = new JsonObject { ["nodes"] = new JsonArray() },
                ["allComments"] = comments,
            });
        }

        Repositories.Add(RepositoryJson(FullName, 1000, archived: false));
    }

    public static JsonObject RepositoryJson(string fullName, long id, bool archived) => new()
    {
        ["id"] = id,
        ["name"] = fullName.Split('/')[1],
        ["full_name"] = fullName,
        ["private"] = false,
        ["archived"] = archived,
        ["disabled"] = false,
        ["has_issues"] = true,
        ["has_discussions"] = true,
        ["html_url"] = $"https://github.com/{fullName}",
    };

    private async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        if ((FaultPathPrefix is null || path.StartsWith(FaultPathPrefix, StringComparison.Ordinal)) && Faults.TryDequeue(out var fault))
        {
            await fault(context);
            return;
        }

        if (context.Request.Method == "POST" && path.StartsWith("/app/installations/", StringComparison.Ordinal))
        {
            await ExchangeTokenAsync(context);
            return;
        }

        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization != $"Bearer {Token}" && authorization != $"Bearer {InstallationToken}")
        {
            await WriteJsonAsync(context, 401, new JsonObject { ["message"] = "Bad credentials", ["documentation_url"] = "https://docs.github.com/rest" });
            return;
        }

        var segments = path.Trim('/').Split('/');
        switch (segments)
        {
            case ["graphql"] when context.Request.Method == "POST":
                await GraphQlAsync(context);
                return;
            case ["repos", var owner, var repo, "issues"]:
                await ListAsync(context, Issues.Where(i => RepoOf(i["repository_url"]) == $"{owner}/{repo}"));
                return;
            case ["repos", var owner, var repo, "issues", "comments"]:
                await ListAsync(context, Comments.Where(c => RepoOf(c["issue_url"], trimIssue: true) == $"{owner}/{repo}"));
                return;
            case ["repos", var owner, var repo]:
                var repository = Repositories.FirstOrDefault(r => (string)r["full_name"]! == $"{owner}/{repo}");
                await (repository is null
                    ? WriteJsonAsync(context, 404, new JsonObject { ["message"] = "Not Found" })
                    : WriteJsonAsync(context, 200, repository));
                return;
            case ["orgs", var org]:
                await WriteJsonAsync(context, 200, new JsonObject { ["id"] = 1, ["login"] = org, ["html_url"] = $"https://github.com/{org}" });
                return;
            case ["orgs", var org, "repos"]:
                await ListAsync(context, Repositories.Where(r => ((string)r["full_name"]!).StartsWith(org + "/", StringComparison.Ordinal)), sortByUpdate: false);
                return;
            default:
                await WriteJsonAsync(context, 404, new JsonObject { ["message"] = "Not Found" });
                return;
        }
    }

    private async Task ListAsync(HttpContext context, IEnumerable<JsonObject> source, bool sortByUpdate = true)
    {
        var query = context.Request.Query;
        var perPage = int.TryParse(query["per_page"], out var pp) ? Math.Min(pp, 100) : 30;
        var page = int.TryParse(query["page"], out var p) ? p : 1;
        List<JsonObject> items;
        lock (_gate)
        {
            var filtered = source;
            if (DateTimeOffset.TryParse(query["since"], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var since))
            {
                // GitHub's since is inclusive of the instant given.
                filtered = filtered.Where(i => DateTimeOffset.Parse((string)i["updated_at"]!, CultureInfo.InvariantCulture) >= since);
            }

            items = (sortByUpdate
                ? filtered.OrderBy(i => DateTimeOffset.Parse((string)i["updated_at"]!, CultureInfo.InvariantCulture)).ThenBy(i => LongOf(i["id"]))
                : filtered.OrderBy(i => LongOf(i["id"]))).Select(i => i.DeepClone().AsObject()).ToList();
        }

        var lastPage = Math.Max(1, (items.Count + perPage - 1) / perPage);
        var links = new List<string>();
        string PageUrl(int n)
        {
            var q = QueryHelpers.ParseQuery(context.Request.QueryString.Value);
            q["page"] = n.ToString(CultureInfo.InvariantCulture);
            return QueryHelpers.AddQueryString(new Uri(BaseUrl, context.Request.Path.Value!.TrimStart('/')).AbsoluteUri, q.ToDictionary(kv => kv.Key, kv => (string?)kv.Value.ToString()));
        }

        if (page > 1)
        {
            links.Add($"<{PageUrl(page - 1)}>; rel=\"prev\"");
        }

        if (page < lastPage)
        {
            links.Add($"<{PageUrl(page + 1)}>; rel=\"next\"");
            links.Add($"<{PageUrl(lastPage)}>; rel=\"last\"");
        }

        if (page > 1)
        {
            links.Add($"<{PageUrl(1)}>; rel=\"first\"");
        }

        if (links.Count > 0)
        {
            context.Response.Headers["Link"] = string.Join(", ", links);
        }

        context.Response.Headers["x-ratelimit-remaining"] = "4999";
        await WriteJsonAsync(context, 200, new JsonArray(items.Skip((page - 1) * perPage).Take(perPage).Select(i => (JsonNode)i).ToArray()));
    }

    private async Task GraphQlAsync(HttpContext context)
    {
        var request = (await JsonNode.ParseAsync(context.Request.Body))!;
        var query = (string)request["query"]!;
        var variables = request["variables"]!;
        if (query.Contains("node(id:", StringComparison.Ordinal))
        {
            var id = (string)variables["id"]!;
            var discussion = Discussions.Single(d => (string)d["id"]! == id);
            var connection = CommentsPage(discussion, (int)variables["first"]!, (string?)variables["after"]);
            await WriteJsonAsync(context, 200, new JsonObject { ["data"] = new JsonObject { ["node"] = new JsonObject { ["comments"] = connection } } });
            return;
        }

        var first = (int)variables["first"]!;
        var after = (string?)variables["after"];
        var start = after is null ? 0 : int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(after))["cursor:".Length..], CultureInfo.InvariantCulture) + 1;
        List<JsonObject> ordered;
        lock (_gate)
        {
            ordered = Discussions.OrderByDescending(d => DateTimeOffset.Parse((string)d["updatedAt"]!, CultureInfo.InvariantCulture)).ToList();
        }

        var nodes = new JsonArray();
        foreach (var discussion in ordered.Skip(start).Take(first))
        {
            var node = discussion.DeepClone().AsObject();
            node.Remove("allComments");
            node["comments"] = CommentsPage(discussion, Math.Min((int)variables["commentsFirst"]!, NestedCommentsPageSize), null);
            nodes.Add(node);
        }

        var end = start + nodes.Count - 1;
        await WriteJsonAsync(context, 200, new JsonObject
        {
            ["data"] = new JsonObject
            {
                ["repository"] = new JsonObject
                {
                    ["nameWithOwner"] = FullName,
                    ["discussions"] = new JsonObject
                    {
                        ["pageInfo"] = new JsonObject { ["hasNextPage"] = end < ordered.Count - 1, ["endCursor"] = nodes.Count > 0 ? Cursor(end) : null },
                        ["nodes"] = nodes,
                    },
                },
            },
        });
    }

    private static JsonObject CommentsPage(JsonObject discussion, int first, string? after)
    {
        var all = discussion["allComments"]!.AsArray();
        var start = after is null ? 0 : int.Parse(Encoding.UTF8.GetString(Convert.FromBase64String(after))["cursor:".Length..], CultureInfo.InvariantCulture) + 1;
        var nodes = new JsonArray(all.Skip(start).Take(first).Select(c => c!.DeepClone()).ToArray());
        var end = start + nodes.Count - 1;
        return new JsonObject
        {
            ["pageInfo"] = new JsonObject { ["hasNextPage"] = end < all.Count - 1, ["endCursor"] = nodes.Count > 0 ? Cursor(end) : null },
            ["nodes"] = nodes,
        };
    }

    private async Task ExchangeTokenAsync(HttpContext context)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        var jwt = authorization.StartsWith("Bearer ", StringComparison.Ordinal) ? authorization["Bearer ".Length..] : string.Empty;
        var parts = jwt.Split('.');
        var valid = AppKey is not null && parts.Length == 3 && AppKey.VerifyData(
            Encoding.ASCII.GetBytes($"{parts[0]}.{parts[1]}"),
            System.Buffers.Text.Base64Url.DecodeFromChars(parts[2]),
            HashAlgorithmName.SHA256,
            RSASignaturePadding.Pkcs1);
        if (valid)
        {
            var payload = JsonNode.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]))!;
            valid = payload["iss"]!.ToJsonString().Trim('"') == AppId;
        }

        if (!valid)
        {
            await WriteJsonAsync(context, 401, new JsonObject { ["message"] = "A JSON web token could not be decoded" });
            return;
        }

        Interlocked.Increment(ref TokenExchanges);
        await WriteJsonAsync(context, 201, new JsonObject { ["token"] = InstallationToken, ["expires_at"] = Iso(DateTimeOffset.UtcNow.AddHours(1)) });
    }

    public static Task WriteJsonAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        return context.Response.WriteAsync(body.ToJsonString(new JsonSerializerOptions { WriteIndented = false }));
    }

    private static string? RepoOf(JsonNode? apiUrl, bool trimIssue = false)
    {
        var segments = new Uri((string)apiUrl!).AbsolutePath.Trim('/').Split('/');
        return segments.Length >= 3 && segments[0] == "repos" ? $"{segments[1]}/{segments[2]}" : null;
    }

    private static JsonObject Actor(JsonNode user) => new()
    {
        ["login"] = user["login"]!.DeepClone(),
        ["avatarUrl"] = user["avatar_url"]!.DeepClone(),
        ["url"] = user["html_url"]!.DeepClone(),
    };

    private static long LongOf(JsonNode? node) => long.Parse(node!.ToJsonString(), CultureInfo.InvariantCulture);

    private static string Cursor(int index) => Convert.ToBase64String(Encoding.UTF8.GetBytes($"cursor:{index}"));

    public static string Iso(DateTimeOffset value) => value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
