using GitMesh.Domain.Signals;

namespace GitMesh.Connectors;

/// <summary>
/// A polling source. The connector-run workflow calls <see cref="FetchPageAsync"/> with the saved cursor,
/// enqueues the page's signals through <see cref="ISignalSink"/>, and only then saves <see cref="ConnectorPage.NextCursor"/>,
/// so a crash re-reads a page but never skips one.
/// </summary>
public interface ISourceConnector
{
    /// <summary>Integration type this connector serves, e.g. "github".</summary>
    string Type { get; }

    /// <summary>Fetch one page. <paramref name="cursor"/> is null on the first run (the backfill window applies).</summary>
    Task<ConnectorPage> FetchPageAsync(ConnectorRequest request, CancellationToken cancellationToken);

    /// <summary>Cheap authenticated call used by the "test connection" action.</summary>
    Task<ConnectionTestResult> TestConnectionAsync(ConnectorRequest request, CancellationToken cancellationToken);
}

/// <param name="Settings">Non-secret settings of the integration (JSON object as parsed key/values).</param>
/// <param name="Credentials">Decrypted secrets (tokens, client secrets). Never log them.</param>
/// <param name="Cursor">Opaque cursor saved after the previous page, or null.</param>
/// <param name="BackfillSince">On a first run (no cursor), how far back to read.</param>
public sealed record ConnectorRequest(
    Guid WorkspaceId,
    Guid IntegrationId,
    IReadOnlyDictionary<string, string> Settings,
    IReadOnlyDictionary<string, string> Credentials,
    string? Cursor,
    DateTimeOffset BackfillSince);

/// <param name="Signals">Signals of this page, in source order.</param>
/// <param name="NextCursor">Cursor to save once the signals are enqueued.</param>
/// <param name="HasMore">True when another page is available right now; false when caught up.</param>
public sealed record ConnectorPage(IReadOnlyList<SignalEnvelope> Signals, string? NextCursor, bool HasMore);

public sealed record ConnectionTestResult(bool Ok, string Message);

/// <summary>Where connectors, webhooks and imports put signals: the ingest queue.</summary>
public interface ISignalSink
{
    Task EnqueueAsync(Guid workspaceId, Guid? integrationId, IReadOnlyList<SignalEnvelope> signals, CancellationToken cancellationToken);
}

/// <summary>The provider said "not before <see cref="RetryAt"/>". The run parks until then without burning attempts.</summary>
public sealed class RateLimitedException(string provider, DateTimeOffset retryAt, string? detail = null)
    : Exception($"{provider} rate limit reached; retry at {retryAt:O}. {detail}".TrimEnd())
{
    public string Provider { get; } = provider;
    public DateTimeOffset RetryAt { get; } = retryAt;
}

/// <summary>Credentials were refused: the integration is marked needs-reconnect with the provider's message.</summary>
public sealed class ConnectorAuthException(string provider, string providerMessage)
    : Exception($"{provider} refused the credentials: {providerMessage}")
{
    public string Provider { get; } = provider;
    public string ProviderMessage { get; } = providerMessage;
}

/// <summary>A failure worth retrying with backoff (5xx, timeouts, malformed bodies from a flaky proxy).</summary>
public sealed class TransientConnectorException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The provider's hard quota is exhausted (e.g. X monthly post cap): stop and report, do not spin.</summary>
public sealed class QuotaExhaustedException(string provider, string detail, DateTimeOffset? resetAt = null)
    : Exception($"{provider} quota exhausted: {detail}")
{
    public string Provider { get; } = provider;
    public DateTimeOffset? ResetAt { get; } = resetAt;
}
