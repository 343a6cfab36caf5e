using System.Text;
using GitMesh.Connectors.GitHub.Api;
using GitMesh.Connectors.GitHub.Signals;
using GitMesh.Connectors.GitHub.Tests.Fakes;
using GitMesh.Connectors.GitHub.Webhooks;

namespace GitMesh.Connectors.GitHub.Tests;

public sealed class GitHubWebhookVerifierTests
{
    private static readonly System.Text.Json.Nodes.JsonNode Vector = Fixture.Json("signature/x-hub-signature-256.test_vector.json");
    private static readonly string Secret = (string)Vector["secret"]!;
    private static readonly byte[] Payload = Encoding.UTF8.GetBytes((string)Vector["payload"]!);
    private static readonly string Header = (string)Vector["expected_header_X-Hub-Signature-256"]!;

    [Fact]
    public void Official_test_vector_is_accepted()
    {
        GitHubWebhookVerifier.Verify(Header, Payload, Secret).ShouldBeTrue();
        GitHubWebhookVerifier.Sign(Payload, Secret).ShouldBe(Header);
    }

    [Fact]
    public void Wrong_secret_is_rejected() => GitHubWebhookVerifier.Verify(Header, Payload, "It's a Secret to Nobody").ShouldBeFalse();

    [Fact]
    public void Tampered_body_is_rejected() => GitHubWebhookVerifier.Verify(Header, Encoding.UTF8.GetBytes("Hello, World?"), Secret).ShouldBeFalse();

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha1=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    [InlineData("sha256=")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e1")]
    [InlineData("sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17aa")]
    [InlineData("sha256=zz7107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17")]
    public void Missing_or_malformed_header_is_rejected(string? header) => GitHubWebhookVerifier.Verify(header, Payload, Secret).ShouldBeFalse();

    [Fact]
    public void Empty_secret_never_verifies() => GitHubWebhookVerifier.Verify(Header, Payload, string.Empty).ShouldBeFalse();
}

public sealed class GitHubWebhookParserTests
{
    private const string Issue1 = "codertocat/hello-world#issue/1";

    public static TheoryData<string, string, string> AllFixtures => new()
    {
        { "issues.opened", "issues", "upsert" },
        { "issues.opened.with-empty-body", "issues", "upsert" },
        { "issues.edited", "issues", "upsert" },
        { "issues.reopened", "issues", "upsert" },
        { "issues.labeled", "issues", "upsert" },
        { "issues.assigned", "issues", "upsert" },
        { "issues.deleted", "issues", "deleted" },
        { "issues.transferred", "issues", "transferred" },
        { "issue_comment.created", "issue_comment", "upsert" },
        { "issue_comment.edited", "issue_comment", "upsert" },
        { "issue_comment.deleted", "issue_comment", "deleted" },
        { "discussion.created", "discussion", "upsert" },
        { "discussion.answered", "discussion", "answered" },
        { "discussion_comment.created", "discussion_comment", "upsert" },
        { "ping", "ping", "ping" },
    };

    [Theory]
    [MemberData(nameof(AllFixtures))]
    public void Every_fixture_parses_to_the_expected_outcome(string fixture, string eventName, string expected)
    {
        var result = GitHubWebhookParser.Parse(eventName, Fixture.Webhook(fixture));

        if (expected == "ping")
        {
            result.ShouldBeOfType<GitHubWebhookResult.Ping>().HookId.ShouldBe(109948940);
            return;
        }

        var accepted = result.ShouldBeOfType<GitHubWebhookResult.Accepted>();
        accepted.Event.ShouldBe(eventName);
        accepted.Signals.ShouldNotBeEmpty();
        accepted.Signals.ShouldAllBe(s => s.Source == "github" && s.ExternalId.Length > 0);
        switch (expected)
        {
            case "upsert":
                accepted.Signals.ShouldAllBe(s => !s.Deleted);
                break;
            case "deleted":
                accepted.Signals.Single().Deleted.ShouldBeTrue();
                break;
            case "transferred":
                accepted.Signals.Count.ShouldBe(2);
                accepted.Signals[0].Deleted.ShouldBeTrue();
                accepted.Signals[0].ExternalId.ShouldBe("octo-org/hello-world-npm#issue/1");
                accepted.Signals[1].Deleted.ShouldBeFalse();
                accepted.Signals[1].ExternalId.ShouldBe(Issue1);
                break;
            case "answered":
                accepted.Signals.Select(s => s.Kind).ShouldBe(["discussion", "comment"]);
                accepted.Signals[1].Metadata!["isAnswer"].ShouldBe("true");
                break;
        }
    }

    [Fact]
    public void Opened_issue_maps_every_field()
    {
        var accepted = GitHubWebhookParser.Parse("issues", Fixture.Webhook("issues.opened")).ShouldBeOfType<GitHubWebhookResult.Accepted>();

        accepted.Action.ShouldBe("opened");
        accepted.Repository.ShouldBe("Codertocat/Hello-World");
        var issue = accepted.Signals.Single();
        issue.Kind.ShouldBe("issue");
        issue.ExternalId.ShouldBe(Issue1);
        issue.Title.ShouldBe("Spelling error in the README file");
        issue.Body.ShouldBe("It looks like you accidently spelled 'commit' with two 't's.");
        issue.Url.ShouldBe("https://github.com/Codertocat/Hello-World/issues/1");
        issue.Author!.Username.ShouldBe("Codertocat");
        issue.Author.ProfileUrl.ShouldBe("https://github.com/Codertocat");
        issue.CreatedAt.ShouldBe(new DateTimeOffset(2019, 5, 15, 15, 20, 18, TimeSpan.Zero));
        issue.Metadata!["labels"].ShouldBe("bug");
        issue.Metadata["number"].ShouldBe("1");
        issue.Metadata["repo"].ShouldBe("Codertocat/Hello-World");
    }

    [Fact]
    public void Empty_body_issue_has_no_body() =>
        GitHubWebhookParser.Parse("issues", Fixture.Webhook("issues.opened.with-empty-body"))
            .ShouldBeOfType<GitHubWebhookResult.Accepted>().Signals.Single().Body.ShouldBeNull();

    [Fact]
    public void Comment_points_at_its_issue_and_edits_update_the_same_signal()
    {
        var created = GitHubWebhookParser.Parse("issue_comment", Fixture.Webhook("issue_comment.created")).ShouldBeOfType<GitHubWebhookResult.Accepted>().Signals.Single();
        var edited = GitHubWebhookParser.Parse("issue_comment", Fixture.Webhook("issue_comment.edited")).ShouldBeOfType<GitHubWebhookResult.Accepted>().Signals.Single();

        created.Kind.ShouldBe("comment");
        created.ExternalId.ShouldBe("codertocat/hello-world#comment/492700400");
        created.ParentExternalId.ShouldBe(Issue1);
        edited.ExternalId.ShouldBe(created.ExternalId);
        edited.Body.ShouldBe("You are totally right! I'll get this fixed today.");
        edited.UpdatedAt!.Value.ShouldBeGreaterThan(created.UpdatedAt!.Value);
    }

    [Fact]
    public void Discussion_comment_points_at_its_discussion()
    {
        var accepted = GitHubWebhookParser.Parse("discussion_comment", Fixture.Webhook("discussion_comment.created")).ShouldBeOfType<GitHubWebhookResult.Accepted>();

        var comment = accepted.Signals.Single();
        comment.ExternalId.ShouldBe("codertocat/hello-world#discussion-comment/550062");
        comment.ParentExternalId.ShouldBe("codertocat/hello-world#discussion/4");
        comment.Body.ShouldBe("ANSWER");
        accepted.InstallationId.ShouldNotBeNull();
    }

    [Fact]
    public void Webhook_and_polling_agree_on_the_external_id_of_an_issue()
    {
        var webhook = GitHubWebhookParser.Parse("issues", Fixture.Webhook("issues.opened")).ShouldBeOfType<GitHubWebhookResult.Accepted>().Signals.Single();
        var restIssue = System.Text.Json.JsonSerializer.Deserialize<GitHubIssue>(
            Fixture.Json("webhooks/issues.opened.payload.json")["issue"]!.ToJsonString(),
            new System.Text.Json.JsonSerializerOptions { PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower, PropertyNameCaseInsensitive = true })!;

        var polled = GitHubSignalMapper.MapIssue(restIssue, "codertocat/HELLO-world");

        polled.ExternalId.ShouldBe(webhook.ExternalId);
    }

    [Fact]
    public void Comment_on_a_pull_request_is_ignored_unless_pull_requests_are_included()
    {
        var body = Fixture.Json("webhooks/issue_comment.created.payload.json");
        body["issue"]!["pull_request"] = new System.Text.Json.Nodes.JsonObject { ["url"] = "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString());

        GitHubWebhookParser.Parse("issue_comment", bytes).ShouldBeOfType<GitHubWebhookResult.Ignored>();
        GitHubWebhookParser.Parse("issue_comment", bytes, includePullRequests: true).ShouldBeOfType<GitHubWebhookResult.Accepted>();
    }

    [Theory]
    [InlineData("issues", "{\"action\":\"opened\",")]
    [InlineData("issues", "not json")]
    [InlineData("issues", "[]")]
    [InlineData("issues", "{\"action\":\"opened\"}")]
    [InlineData("issues", "{\"action\":\"opened\",\"issue\":{\"id\":\"x\"}}")]
    [InlineData("issue_comment", "{\"action\":\"created\",\"comment\":{\"id\":1,\"issue_url\":\"nope\",\"created_at\":\"2020-01-01T00:00:00Z\",\"updated_at\":\"2020-01-01T00:00:00Z\"}}")]
    [InlineData(null, "{}")]
    public void Malformed_deliveries_are_invalid_results_not_exceptions(string? eventName, string body)
    {
        var result = GitHubWebhookParser.Parse(eventName, Encoding.UTF8.GetBytes(body));

        result.ShouldBeOfType<GitHubWebhookResult.Invalid>().Error.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Other_events_are_ignored() =>
        GitHubWebhookParser.Parse("star", Encoding.UTF8.GetBytes("{\"action\":\"created\"}")).ShouldBeOfType<GitHubWebhookResult.Ignored>();
}
