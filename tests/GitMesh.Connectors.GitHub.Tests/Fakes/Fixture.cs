using System.Text.Json.Nodes;

namespace GitMesh.Connectors.GitHub.Tests.Fakes;

/// <summary>Reads the real GitHub payloads copied under Fixtures/github (provenance in SOURCE.txt).</summary>
internal static class Fixture
{
    public static string PathOf(string relative) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "github", relative);

    public static byte[] Bytes(string relative) => File.ReadAllBytes(PathOf(relative));

    public static JsonNode Json(string relative) => JsonNode.Parse(File.ReadAllText(PathOf(relative)))!;

    public static byte[] Webhook(string name) => Bytes($"webhooks/{name}.payload.json");

    /// <summary>The recorded exchanges of octokit's paginate-issues scenario (5 pages of 3, 2, … issues with Link headers).</summary>
    public static JsonArray PaginateIssues() => Json("rest_recorded_octokit_fixtures/paginate-issues.normalized-fixture.json").AsArray();
}

/// <summary>A clock the tests move by hand.</summary>
internal sealed class ManualTimeProvider(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
