using System.Text.Json;
using GitMesh.Connectors;
using GitMesh.Domain.Integrations;
using GitMesh.Hosting;

namespace GitMesh.Integrations.Runs;

/// <summary>Turns a stored integration into what a connector gets: parsed settings and decrypted credentials.</summary>
public sealed class IntegrationRequests(ISecretProtector secrets, IEnumerable<ISourceConnector> connectors)
{
    public ISourceConnector? FindConnector(string type) =>
        connectors.FirstOrDefault(c => string.Equals(c.Type, type, StringComparison.Ordinal));

    public ConnectorRequest Create(Integration integration, string? cursor, DateTimeOffset backfillSince) =>
        new(integration.WorkspaceId, integration.Id, ReadSettings(integration.SettingsJson), secrets.UnprotectValues(integration.EncryptedCredentials), cursor, backfillSince);

    public IReadOnlyDictionary<string, string> Credentials(Integration integration) => secrets.UnprotectValues(integration.EncryptedCredentials);

    public string? WebhookSecret(Integration integration) =>
        string.IsNullOrEmpty(integration.EncryptedWebhookSecret) ? null : secrets.Unprotect(integration.EncryptedWebhookSecret);

    public static Dictionary<string, string> ReadSettings(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? new Dictionary<string, string>(StringComparer.Ordinal);
    }

    public static string WriteSettings(IReadOnlyDictionary<string, string> settings) => JsonSerializer.Serialize(settings);
}
