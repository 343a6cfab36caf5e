using GitMesh.Domain.Signals;

namespace GitMesh.Connectors.GitHub.Webhooks;

/// <summary>What a GitHub webhook delivery means for GitMesh. The endpoint answers 2xx for all but <see cref="Invalid"/> (400).</summary>
public abstract record GitHubWebhookResult
{
    private GitHubWebhookResult()
    {
    }

    /// <summary>GitHub's hook-created check; nothing to ingest.</summary>
    public sealed record Ping(string? Zen, long? HookId) : GitHubWebhookResult;

    /// <summary>A well-formed delivery GitMesh does not ingest (other events, pull-request comments when PRs are excluded).</summary>
    public sealed record Ignored(string Reason) : GitHubWebhookResult;

    /// <summary>Unparseable body or a payload missing what its event requires.</summary>
    public sealed record Invalid(string Error) : GitHubWebhookResult;

    /// <param name="Repository">The payload's <c>repository.full_name</c>, for routing to the integration.</param>
    /// <param name="InstallationId">The GitHub App installation, when the hook belongs to an App.</param>
    /// <param name="Signals">Upserts, or <see cref="SignalEnvelope.Deleted"/> envelopes for deletions.</param>
    public sealed record Accepted(string Event, string? Action, string? Repository, long? InstallationId, IReadOnlyList<SignalEnvelope> Signals) : GitHubWebhookResult;
}
