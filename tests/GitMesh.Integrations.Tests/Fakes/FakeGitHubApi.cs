using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;

namespace GitMesh.Integrations.Tests.Fakes;

/// <summary>
/// A small GitHub REST fake for the issues and issue-comments listings the connector polls: bearer auth,
/// <c>since</c>/<c>sort=updated</c>/<c>direction=asc</c> filtering, <c>page</c> paging with RFC 8288 Link headers (two
/// items per page, so every run pages), 401 for a refused token and 429 with Retry-After for a rate-limited one.
/// </summary>
internal sealed class FakeGitHubApi : IAsyncDisposable
{
    public const string Owner = "acme";
    public const string Repo = "app";
    public const string GoodToken = "ghp_good";
    public const string RefusedToken = "ghp_refused";
    public const string LimitedToken = "ghp_limited";
    private const int PageSize = 2;

    private readonly List<JsonObject> _issues = [];

    private FakeGitHubApi(LoopbackServer server) => Server = server;

    public LoopbackServer Server { get; }

    public IReadOnlyList<RecordedRequest> IssueRequests =>
        Server.Requests.Where(r => r.Path == $"/repos/{Owner}/{Repo}/issues").ToList();

    public static async Task<FakeGitHubApi> StartAsync(int issues)
    {
        FakeGitHubApi? fake = null;
        var server = await LoopbackServer.StartAsync(context => fake!.HandleAsync(context));
        fake = new FakeGitHubApi(server);
        var t0 = DateTimeOffset.UtcNow.AddDays(-2);
        for (var n = 1; n <= issues; n++)
        {
            fake.AddIssue(n, t0.AddMinutes(n));
        }

        return fake;
    }

    public void AddIssue(int number, DateTimeOffset updatedAt)
    {
        lock (_issues)
        {
            _issues.Add(new JsonObject
            {
                ["id"] = 1000 + number,
                ["number"] = number,
                ["title"] = $"Issue {number}: export fails",
                ["body"] = $"Body of issue {number}",
                ["state"] = "open",
                ["html_url"] = $"https://github.com/{Owner}/{Repo}/issues/{number}",
                ["repository_url"] = $"https://api.github.com/repos/{Owner}/{Repo}",
                ["user"] = new JsonObject { ["login"] = "octocat" },
                ["labels"] = new JsonArray(),
                ["created_at"] = Iso(updatedAt),
                ["updated_at"] = Iso(updatedAt),
                ["closed_at"] = null,
            });
        }
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();

    private async Task HandleAsync(HttpContext context)
    {
        var auth = context.Request.Headers.Authorization.ToString();
        if (auth.EndsWith(RefusedToken, StringComparison.Ordinal))
        {
            await WriteAsync(context, 401, new JsonObject { ["message"] = "Bad credentials", ["documentation_url"] = "https://docs.github.com/rest" });
            return;
        }

        if (auth.EndsWith(LimitedToken, StringComparison.Ordinal))
        {
            context.Response.Headers["Retry-After"] = "3600";
            await WriteAsync(context, 429, new JsonObject { ["message"] = "API rate limit exceeded" });
            return;
        }

        if (!auth.EndsWith(GoodToken, StringComparison.Ordinal))
        {
            await WriteAsync(context, 401, new JsonObject { ["message"] = "Requires authentication" });
            return;
        }

        var path = context.Request.Path.Value;
        if (path == $"/repos/{Owner}/{Repo}/issues/comments")
        {
            await WriteAsync(context, 200, new JsonArray());
            return;
        }

        if (path == $"/repos/{Owner}/{Repo}")
        {
            await WriteAsync(context, 200, new JsonObject
            {
                ["id"] = 1,
                ["name"] = Repo,
                ["full_name"] = $"{Owner}/{Repo}",
                ["private"] = false,
                ["archived"] = false,
                ["disabled"] = false,
                ["has_issues"] = true,
                ["has_discussions"] = false,
                ["html_url"] = $"https://github.com/{Owner}/{Repo}",
            });
            return;
        }

        if (path != $"/repos/{Owner}/{Repo}/issues")
        {
            await WriteAsync(context, 404, new JsonObject { ["message"] = "Not Found" });
            return;
        }

        var query = context.Request.Query;
        var since = DateTimeOffset.Parse(query["since"].ToString(), CultureInfo.InvariantCulture);
        var page = int.TryParse(query["page"], out var p) ? p : 1;
        List<JsonObject> matching;
        lock (_issues)
        {
            matching = _issues.Where(i => DateTimeOffset.Parse(i["updated_at"]!.GetValue<string>(), CultureInfo.InvariantCulture) >= since)
                .OrderBy(i => i["updated_at"]!.GetValue<string>(), StringComparer.Ordinal).ToList();
        }

        var items = matching.Skip((page - 1) * PageSize).Take(PageSize).Select(i => (JsonNode)i.DeepClone()).ToArray();
        if (page * PageSize < matching.Count)
        {
            var next = $"{context.Request.Scheme}://{context.Request.Host}{path}{QueryWithPage(context.Request.QueryString.Value!, page + 1)}";
            context.Response.Headers["Link"] = $"<{next}>; rel=\"next\"";
        }

        await WriteAsync(context, 200, new JsonArray(items));
    }

    private static string QueryWithPage(string query, int page)
    {
        var parts = query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("page=", StringComparison.Ordinal)).ToList();
        parts.Add($"page={page}");
        return "?" + string.Join('&', parts);
    }

    private static async Task WriteAsync(HttpContext context, int status, JsonNode body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(JsonSerializerOptions.Default));
    }

    private static string Iso(DateTimeOffset value) => value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
