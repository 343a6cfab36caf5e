using System.Text.Json;
using GitMesh.Connectors.GitHub.Api;
using GitMesh.Connectors.GitHub.Signals;
using GitMesh.Domain.Signals;

namespace GitMesh.Connectors.GitHub.Webhooks;

/// <summary>
/// Turns a verified GitHub delivery (the <c>X-GitHub-Event</c> name and raw body) into envelopes through the same
/// <see cref="GitHubSignalMapper"/> as polling, so a webhook and a later poll of the same item agree on its external id.
/// Every delivery carries the full object, so any action other than a deletion or transfer is simply an upsert.
/// Never throws for bad input: a malformed body is an <see cref="GitHubWebhookResult.Invalid"/> result.
/// </summary>
public static class GitHubWebhookParser
{
    private static readonly JsonSerializerOptions RestJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static GitHubWebhookResult Parse(string? eventName, ReadOnlyMemory<byte> rawBody, bool includePullRequests = false)
    {
        if (string.IsNullOrWhiteSpace(eventName))
        {
            return new GitHubWebhookResult.Invalid($"missing {GitHubWebhookVerifier.EventHeader} header");
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(rawBody);
        }
        catch (JsonException ex)
        {
            return new GitHubWebhookResult.Invalid($"body is not valid JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new GitHubWebhookResult.Invalid("body is not a JSON object");
            }

            try
            {
                return eventName.Trim() switch
                {
                    "ping" => new GitHubWebhookResult.Ping(
                        GetString(root, "zen"),
                        root.TryGetProperty("hook_id", out var hookId) && hookId.TryGetInt64(out var id) ? id : null),
                    "issues" => ParseIssues(root),
                    "issue_comment" => ParseIssueComment(root, includePullRequests),
                    "discussion" => ParseDiscussion(root),
                    "discussion_comment" => ParseDiscussionComment(root),
                    var other => new GitHubWebhookResult.Ignored($"event '{other}' is not a signal source"),
                };
            }
            catch (JsonException ex)
            {
                return new GitHubWebhookResult.Invalid($"{eventName} payload has an unexpected shape: {ex.Message}");
            }
            catch (InvalidOperationException ex)
            {
                return new GitHubWebhookResult.Invalid($"{eventName} payload has an unexpected shape: {ex.Message}");
            }
        }
    }

    private static GitHubWebhookResult ParseIssues(JsonElement root)
    {
        var action = GetString(root, "action");
        if (Read<GitHubIssue>(root, "issue") is not { } issue)
        {
            return new GitHubWebhookResult.Invalid("issues payload has no issue");
        }

        var repository = RepositoryName(root);
        var issueRepository = GitHubSignalMapper.RepositoryFromApiUrl(issue.RepositoryUrl) ?? repository;
        if (issueRepository is null)
        {
            return new GitHubWebhookResult.Invalid("issues payload names no repository");
        }

        var signals = new List<SignalEnvelope>(2)
        {
            GitHubSignalMapper.MapIssue(issue, issueRepository, deleted: action is "deleted" or "transferred"),
        };

        // A transfer moves the issue to a new number in another repository: the old signal goes, the new one arrives.
        if (action == "transferred" && root.TryGetProperty("changes", out var changes) && Read<GitHubIssue>(changes, "new_issue") is { } newIssue)
        {
            var newRepository = GitHubSignalMapper.RepositoryFromApiUrl(newIssue.RepositoryUrl)
                ?? (changes.TryGetProperty("new_repository", out var repo) ? GetString(repo, "full_name") : null);
            if (newRepository is not null)
            {
                signals.Add(GitHubSignalMapper.MapIssue(newIssue, newRepository));
            }
        }

        return Accepted(root, "issues", action, repository, signals);
    }

    private static GitHubWebhookResult ParseIssueComment(JsonElement root, bool includePullRequests)
    {
        var action = GetString(root, "action");
        if (Read<GitHubIssueComment>(root, "comment") is not { } comment)
        {
            return new GitHubWebhookResult.Invalid("issue_comment payload has no comment");
        }

        var onPullRequest = root.TryGetProperty("issue", out var issue) && issue.ValueKind == JsonValueKind.Object &&
                            issue.TryGetProperty("pull_request", out var pr) && pr.ValueKind == JsonValueKind.Object;
        if (onPullRequest && !includePullRequests)
        {
            return new GitHubWebhookResult.Ignored("comment on a pull request");
        }

        var envelope = GitHubSignalMapper.MapIssueComment(comment, deleted: action == "deleted");
        return envelope is null
            ? new GitHubWebhookResult.Invalid("issue_comment has no recognisable issue_url")
            : Accepted(root, "issue_comment", action, RepositoryName(root), [envelope]);
    }

    private static GitHubWebhookResult ParseDiscussion(JsonElement root)
    {
        var action = GetString(root, "action");
        var repository = RepositoryName(root);
        if (repository is null)
        {
            return new GitHubWebhookResult.Invalid("discussion payload names no repository");
        }

        if (ReadDiscussion(root, "discussion") is not { } discussion)
        {
            return new GitHubWebhookResult.Invalid("discussion payload has no discussion");
        }

        var signals = new List<SignalEnvelope>(2)
        {
            GitHubSignalMapper.MapDiscussion(discussion, repository, deleted: action is "deleted" or "transferred"),
        };

        if (action == "answered" && ReadDiscussionComment(root, "answer", isAnswer: true) is { } answer &&
            GitHubSignalMapper.MapDiscussionComment(answer, repository, discussion.Number) is { } answerEnvelope)
        {
            signals.Add(answerEnvelope);
        }

        if (action == "transferred" && root.TryGetProperty("changes", out var changes) &&
            ReadDiscussion(changes, "new_discussion") is { } moved &&
            changes.TryGetProperty("new_repository", out var newRepo) && GetString(newRepo, "full_name") is { } newRepository)
        {
            signals.Add(GitHubSignalMapper.MapDiscussion(moved, newRepository));
        }

        return Accepted(root, "discussion", action, repository, signals);
    }

    private static GitHubWebhookResult ParseDiscussionComment(JsonElement root)
    {
        var action = GetString(root, "action");
        var repository = RepositoryName(root);
        if (repository is null)
        {
            return new GitHubWebhookResult.Invalid("discussion_comment payload names no repository");
        }

        if (ReadDiscussion(root, "discussion") is not { } discussion || ReadDiscussionComment(root, "comment", isAnswer: false) is not { } comment)
        {
            return new GitHubWebhookResult.Invalid("discussion_comment payload needs both discussion and comment");
        }

        var envelope = GitHubSignalMapper.MapDiscussionComment(comment, repository, discussion.Number, deleted: action == "deleted");
        return envelope is null
            ? new GitHubWebhookResult.Invalid("discussion comment has no id")
            : Accepted(root, "discussion_comment", action, repository, [envelope]);
    }

    // Webhooks carry discussions in REST shape; convert to the GraphQL records so one mapper serves both.
    private static GitHubDiscussion? ReadDiscussion(JsonElement parent, string property)
    {
        if (Read<WebhookDiscussion>(parent, property) is not { } d)
        {
            return null;
        }

        return new GitHubDiscussion(
            d.NodeId ?? string.Empty, d.Id, d.Number, d.Title, d.Body, d.HtmlUrl, d.CreatedAt, d.UpdatedAt,
            Closed: d.State == "closed",
            d.AnswerChosenAt,
            ToActor(d.User),
            d.Category?.Name is { } category ? new GitHubDiscussionCategory(category) : null,
            d.Labels is null ? null : new GitHubLabelConnection(d.Labels),
            Comments: null);
    }

    private static GitHubDiscussionComment? ReadDiscussionComment(JsonElement parent, string property, bool isAnswer) =>
        Read<WebhookDiscussionComment>(parent, property) is { } c
            ? new GitHubDiscussionComment(c.NodeId ?? string.Empty, c.Id, c.Body, c.HtmlUrl, c.CreatedAt, c.UpdatedAt, isAnswer, ToActor(c.User))
            : null;

    private static GitHubGraphQlActor? ToActor(GitHubUser? user) => user is null ? null : new GitHubGraphQlActor(user.Login, user.AvatarUrl, user.HtmlUrl);

    private static GitHubWebhookResult.Accepted Accepted(JsonElement root, string eventName, string? action, string? repository, IReadOnlyList<SignalEnvelope> signals)
    {
        long? installationId = root.TryGetProperty("installation", out var installation) && installation.ValueKind == JsonValueKind.Object &&
                               installation.TryGetProperty("id", out var id) && id.TryGetInt64(out var value)
            ? value
            : null;
        return new GitHubWebhookResult.Accepted(eventName, action, repository, installationId, signals);
    }

    private static T? Read<T>(JsonElement parent, string property) where T : class =>
        parent.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.Object ? value.Deserialize<T>(RestJson) : null;

    private static string? RepositoryName(JsonElement root) =>
        root.TryGetProperty("repository", out var repository) && repository.ValueKind == JsonValueKind.Object ? GetString(repository, "full_name") : null;

    private static string? GetString(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed record WebhookCategory(string? Name);

    private sealed record WebhookDiscussion(
        long Id,
        string? NodeId,
        int Number,
        string? Title,
        string? Body,
        string? HtmlUrl,
        string? State,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        DateTimeOffset? AnswerChosenAt,
        GitHubUser? User,
        WebhookCategory? Category,
        IReadOnlyList<GitHubLabel>? Labels);

    private sealed record WebhookDiscussionComment(long Id, string? NodeId, string? Body, string? HtmlUrl, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, GitHubUser? User);
}
