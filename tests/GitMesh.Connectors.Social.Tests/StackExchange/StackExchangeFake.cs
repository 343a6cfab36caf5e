using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;

namespace GitMesh.Connectors.Social.Tests.StackExchange;

/// <summary>
/// Stateful fake of the Stack Exchange API 2.3: questions by tag or search sorted by activity with <c>min</c>,
/// answers of a set of questions, <c>page</c>/<c>has_more</c> paging, the common wrapper with quota and backoff, and
/// gzip bodies like the real API (which compresses every response).
/// </summary>
public sealed class StackExchangeFake : IAsyncDisposable
{
    private StackExchangeFake()
    {
    }

    public LoopbackServer Server { get; private set; } = null!;

    public ConcurrentDictionary<long, JsonObject> Questions { get; } = new();

    public ConcurrentDictionary<long, JsonObject> Answers { get; } = new();

    public ConcurrentQueue<Func<HttpContext, Task>> NextResponses { get; } = new();

    /// <summary>Method path ("questions", "search/advanced", "answers") → backoff seconds to put on its next response.</summary>
    public ConcurrentDictionary<string, int> BackoffOnce { get; } = new();

    public int QuotaRemaining { get; set; } = 9999;

    public static async Task<StackExchangeFake> StartAsync()
    {
        var fake = new StackExchangeFake();
        fake.Server = await LoopbackServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public Dictionary<string, string?> Configuration(int pageSize = 100) => new()
    {
        ["Connectors:StackExchange:ApiBaseUrl"] = new Uri(Server.BaseAddress, "2.3/").ToString(),
        ["Connectors:StackExchange:PageSize"] = pageSize.ToString(CultureInfo.InvariantCulture),
    };

    public JsonObject AddQuestion(long id, long activity, string title, int answerCount = 0, string tag = "gitmesh")
    {
        var question = ConnectorHarness.Fixture("stackexchange/question.json").AsObject();
        question["question_id"] = id;
        question["title"] = title;
        question["creation_date"] = activity;
        question["last_activity_date"] = activity;
        question["answer_count"] = answerCount;
        question["tags"] = new JsonArray(tag);
        question["link"] = $"https://stackoverflow.com/questions/{id}/slug";
        Questions[id] = question;
        return question;
    }

    public JsonObject AddAnswer(long id, long questionId, long activity, string body)
    {
        var answer = ConnectorHarness.Fixture("stackexchange/answer.json").AsObject();
        answer["answer_id"] = id;
        answer["question_id"] = questionId;
        answer["creation_date"] = activity;
        answer["last_activity_date"] = activity;
        answer["body"] = body;
        Answers[id] = answer;
        return answer;
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (NextResponses.TryDequeue(out var next))
        {
            await next(context);
            return;
        }

        var query = context.Request.Query;
        if (query["site"] != "stackoverflow")
        {
            await WriteErrorAsync(context, 400, "bad_parameter", "site is required");
            return;
        }

        var segments = context.Request.Path.Value!.Trim('/').Split('/');
        IEnumerable<JsonObject> items;
        string method;
        switch (segments)
        {
            case ["2.3", "questions"]:
                method = "questions";
                var tags = query["tagged"].ToString().Split(';', StringSplitOptions.RemoveEmptyEntries);
                items = Questions.Values.Where(q => tags.All(t => q["tags"]!.AsArray().Any(x => (string?)x == t)));
                break;
            case ["2.3", "search", "advanced"]:
                method = "search/advanced";
                var text = query["q"].ToString();
                items = Questions.Values.Where(q => ((string)q["title"]! + (string)q["body"]!).Contains(text, StringComparison.OrdinalIgnoreCase));
                break;
            case ["2.3", "questions", var ids, "answers"]:
                method = "answers";
                var questionIds = ids.Split(';').Select(i => long.Parse(i, CultureInfo.InvariantCulture)).ToHashSet();
                items = Answers.Values.Where(a => questionIds.Contains((long)a["question_id"]!));
                break;
            default:
                await WriteErrorAsync(context, 404, "no_method", "no method found with this name");
                return;
        }

        if (query.TryGetValue("min", out var min))
        {
            var since = long.Parse(min!, CultureInfo.InvariantCulture);
            items = items.Where(i => (long)i["last_activity_date"]! >= since);
        }

        var ordered = items.OrderBy(i => (long)i["last_activity_date"]!).ThenBy(i => (long)(i["answer_id"] ?? i["question_id"])!).ToList();
        var page = query.TryGetValue("page", out var p) ? int.Parse(p!, CultureInfo.InvariantCulture) : 1;
        var size = query.TryGetValue("pagesize", out var s) ? int.Parse(s!, CultureInfo.InvariantCulture) : 30;
        var slice = ordered.Skip((page - 1) * size).Take(size).ToList();
        QuotaRemaining = Math.Max(0, QuotaRemaining - 1);
        var wrapper = new JsonObject
        {
            ["items"] = new JsonArray(slice.Select(i => (JsonNode)i.DeepClone()).ToArray()),
            ["has_more"] = page * size < ordered.Count,
            ["quota_max"] = 10000,
            ["quota_remaining"] = QuotaRemaining,
        };
        if (BackoffOnce.TryRemove(method, out var backoff))
        {
            wrapper["backoff"] = backoff;
        }

        await WriteGzipAsync(context, 200, wrapper.ToJsonString());
    }

    public static Task WriteErrorAsync(HttpContext context, int errorId, string errorName, string errorMessage) =>
        WriteGzipAsync(context, 400, new JsonObject
        {
            ["error_id"] = errorId,
            ["error_message"] = errorMessage,
            ["error_name"] = errorName,
        }.ToJsonString());

    public static async Task WriteGzipAsync(HttpContext context, int status, string body)
    {
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
        {
            await gzip.WriteAsync(Encoding.UTF8.GetBytes(body));
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        context.Response.Headers.ContentEncoding = "gzip";
        await context.Response.Body.WriteAsync(buffer.ToArray());
    }

    public ValueTask DisposeAsync() => Server.DisposeAsync();
}
