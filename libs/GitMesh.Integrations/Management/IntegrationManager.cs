using System.Security.Cryptography;
using System.Text.Json;
using GitMesh.Connectors;
using GitMesh.Domain.Integrations;
using GitMesh.Hosting;
using GitMesh.Integrations.Catalog;
using GitMesh.Integrations.Runs;
using GitMesh.Integrations.Webhooks;
using GitMesh.Scheduling;
using GitMesh.Workflows;

namespace GitMesh.Integrations.Management;

/// <summary>What a create or update request may carry. Null members are left unchanged on update.</summary>
/// <param name="Credentials">A patch: a string sets a key, null removes it. Never echoed back.</param>
public sealed record IntegrationInput(
    string? Name,
    IReadOnlyDictionary<string, JsonElement>? Settings,
    IReadOnlyDictionary<string, string?>? Credentials,
    int? PollIntervalSeconds,
    string? CronSchedule,
    int? BackfillDays,
    bool? Paused);

/// <param name="WebhookSecret">Set only when a secret was generated now (create, or rotation); show it once.</param>
public sealed record IntegrationChange(Integration Integration, string? WebhookSecret);

/// <summary>How an integration looks in responses and audit entries: settings, which credential keys are set, never a secret.</summary>
public sealed record IntegrationView(
    Guid Id,
    string Type,
    string Name,
    IReadOnlyDictionary<string, string> Settings,
    bool HasCredentials,
    IReadOnlyList<string> CredentialKeys,
    bool HasWebhookSecret,
    IntegrationStatus Status,
    string? StatusMessage,
    int PollIntervalSeconds,
    string? CronSchedule,
    int BackfillDays,
    DateTime? LastRunAt,
    DateTime? NextRunAt,
    long ItemsFetched,
    string? LastError,
    bool CursorPresent,
    DateTime CreatedAt,
    DateTime UpdatedAt);

/// <summary>
/// Integration rules the API applies: schema validation, credential encryption, webhook secrets, schedule limits,
/// "test connection" and "run now". It changes entities; the caller saves them together with its audit entry.
/// </summary>
public sealed class IntegrationManager(ISecretProtector secrets, IntegrationRequests requests, IWorkflowClient workflows, TimeProvider time)
{
    public const int MinPollIntervalSeconds = 60;
    public const int MaxPollIntervalSeconds = 31_622_400;
    public const int MaxBackfillDays = 3650;

    public IntegrationChange? Create(Guid workspaceId, string? type, IntegrationInput input, List<FieldError> errors)
    {
        var definition = IntegrationTypeCatalog.Find(type);
        if (definition is null)
        {
            errors.Add(new FieldError("type", $"'type' must be one of: {string.Join(", ", IntegrationTypeCatalog.All.Select(t => t.Type))}."));
            return null;
        }

        if (string.IsNullOrWhiteSpace(input.Name))
        {
            errors.Add(new FieldError("name", "'name' is required."));
        }

        var settings = IntegrationSettingsValidator.NormalizeSettings(definition, input.Settings, errors);
        var credentials = IntegrationSettingsValidator.MergeCredentials(definition, null, input.Credentials, requireComplete: true, errors);
        ValidateSchedule(input, errors);
        if (errors.Count > 0)
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        var webhookSecret = definition.ReceivesWebhooks ? WebhookIntake.NewSecret() : null;
        var integration = new Integration
        {
            WorkspaceId = workspaceId,
            Type = definition.Type,
            Name = input.Name!.Trim(),
            SettingsJson = IntegrationRequests.WriteSettings(settings),
            EncryptedCredentials = credentials.Count == 0 ? null : secrets.ProtectValues(credentials),
            EncryptedWebhookSecret = webhookSecret is null ? null : secrets.Protect(webhookSecret),
            Status = input.Paused is true ? IntegrationStatus.Paused : IntegrationStatus.Active,
            PollIntervalSeconds = input.PollIntervalSeconds ?? 900,
            CronSchedule = string.IsNullOrWhiteSpace(input.CronSchedule) ? null : input.CronSchedule.Trim(),
            BackfillDays = input.BackfillDays ?? 30,
            CreatedAt = now,
            UpdatedAt = now,
        };

        // Due at once, so the first backfill starts with the scheduler's next sweep.
        integration.NextRunAt = definition.Polls ? now : null;
        return new IntegrationChange(integration, webhookSecret);
    }

    /// <summary>Applies an update. A changed configuration or new credentials re-activate an integration that needed a reconnect or errored.</summary>
    public bool Update(Integration integration, IntegrationInput input, bool rotateWebhookSecret, List<FieldError> errors, out string? newWebhookSecret)
    {
        newWebhookSecret = null;
        var definition = IntegrationTypeCatalog.Find(integration.Type)
            ?? throw new InvalidOperationException($"Integration {integration.Id} has unknown type '{integration.Type}'.");
        if (input.Name is not null && string.IsNullOrWhiteSpace(input.Name))
        {
            errors.Add(new FieldError("name", "'name' must not be empty."));
        }

        var settings = input.Settings is null ? null : IntegrationSettingsValidator.NormalizeSettings(definition, input.Settings, errors);
        Dictionary<string, string>? credentials = null;
        if (input.Credentials is not null)
        {
            credentials = IntegrationSettingsValidator.MergeCredentials(definition, secrets.UnprotectValues(integration.EncryptedCredentials), input.Credentials, requireComplete: true, errors);
        }

        ValidateSchedule(input, errors);
        if (rotateWebhookSecret && !definition.ReceivesWebhooks)
        {
            errors.Add(new FieldError("rotateWebhookSecret", $"{definition.DisplayName} integrations receive no webhooks."));
        }

        if (errors.Count > 0)
        {
            return false;
        }

        var reconfigured = settings is not null || credentials is not null;
        if (input.Name is not null)
        {
            integration.Name = input.Name.Trim();
        }

        if (settings is not null)
        {
            integration.SettingsJson = IntegrationRequests.WriteSettings(settings);
        }

        if (credentials is not null)
        {
            integration.EncryptedCredentials = credentials.Count == 0 ? null : secrets.ProtectValues(credentials);
        }

        if (input.PollIntervalSeconds is { } interval)
        {
            integration.PollIntervalSeconds = interval;
        }

        if (input.CronSchedule is not null)
        {
            integration.CronSchedule = string.IsNullOrWhiteSpace(input.CronSchedule) ? null : input.CronSchedule.Trim();
        }

        if (input.BackfillDays is { } days)
        {
            integration.BackfillDays = days;
        }

        if (rotateWebhookSecret)
        {
            newWebhookSecret = WebhookIntake.NewSecret();
            integration.EncryptedWebhookSecret = secrets.Protect(newWebhookSecret);
        }

        if (input.Paused is true)
        {
            integration.Status = IntegrationStatus.Paused;
        }
        else if (input.Paused is false || (reconfigured && integration.Status is IntegrationStatus.NeedsReconnect or IntegrationStatus.Error))
        {
            integration.Status = IntegrationStatus.Active;
            integration.StatusMessage = null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        if (input.PollIntervalSeconds is not null || input.CronSchedule is not null)
        {
            integration.NextRunAt = ScheduleTiming.Next(integration.CronSchedule, integration.PollIntervalSeconds, now);
        }

        integration.UpdatedAt = now;
        return true;
    }

    public IntegrationView View(Integration integration)
    {
        IReadOnlyList<string> keys;
        try
        {
            keys = [.. secrets.UnprotectValues(integration.EncryptedCredentials).Keys.Order(StringComparer.Ordinal)];
        }
        catch (CryptographicException)
        {
            // Encrypted with keys this deployment no longer has: present as "nothing set", so the admin re-enters them.
            keys = [];
        }

        return new IntegrationView(
            integration.Id, integration.Type, integration.Name, IntegrationRequests.ReadSettings(integration.SettingsJson),
            keys.Count > 0, keys, integration.EncryptedWebhookSecret is not null, integration.Status, integration.StatusMessage,
            integration.PollIntervalSeconds, integration.CronSchedule, integration.BackfillDays, integration.LastRunAt, integration.NextRunAt,
            integration.ItemsFetched, integration.LastError, integration.Cursor is not null, integration.CreatedAt, integration.UpdatedAt);
    }

    /// <summary>Calls the connector's cheap authenticated check; failures are results, not exceptions.</summary>
    public async Task<ConnectionTestResult> TestAsync(Integration integration, CancellationToken ct)
    {
        if (requests.FindConnector(integration.Type) is not { } connector)
        {
            return new ConnectionTestResult(true, $"{integration.Type} integrations have no remote connection to test.");
        }

        try
        {
            return await connector.TestConnectionAsync(requests.Create(integration, null, time.GetUtcNow().AddDays(-integration.BackfillDays)), ct);
        }
        catch (Exception ex) when (ex is ConnectorAuthException or TransientConnectorException or RateLimitedException or QuotaExhaustedException
                                       or InvalidOperationException or ArgumentException or HttpRequestException or CryptographicException)
        {
            return new ConnectionTestResult(false, ex is ConnectorAuthException auth ? auth.ProviderMessage : ex.Message);
        }
    }

    /// <summary>"Run now": starts the connector-run workflow, or returns the run already active for this integration.</summary>
    public Task<WorkflowHandle> RunNowAsync(Integration integration, CancellationToken ct) =>
        workflows.StartAsync<ConnectorRunWorkflow, ConnectorRunInput>(
            ConnectorRunWorkflow.WorkflowIdFor(integration.Id),
            new ConnectorRunInput(integration.Id, integration.WorkspaceId),
            new WorkflowStartOptions { WorkspaceId = integration.WorkspaceId, IntegrationId = integration.Id },
            ct);

    public static bool Polls(Integration integration) => IntegrationTypeCatalog.Find(integration.Type)?.Polls ?? false;

    private static void ValidateSchedule(IntegrationInput input, List<FieldError> errors)
    {
        if (input.PollIntervalSeconds is { } interval && interval is < MinPollIntervalSeconds or > MaxPollIntervalSeconds)
        {
            errors.Add(new FieldError("pollIntervalSeconds", $"'pollIntervalSeconds' must be between {MinPollIntervalSeconds} and {MaxPollIntervalSeconds}."));
        }

        if (!string.IsNullOrWhiteSpace(input.CronSchedule) && ScheduleTiming.Validate(input.CronSchedule, null) is { } cronError)
        {
            errors.Add(new FieldError("cronSchedule", cronError));
        }

        if (input.BackfillDays is { } days && days is < 0 or > MaxBackfillDays)
        {
            errors.Add(new FieldError("backfillDays", $"'backfillDays' must be between 0 and {MaxBackfillDays}."));
        }

        if (input.Name is { Length: > 200 })
        {
            errors.Add(new FieldError("name", "'name' must be at most 200 characters."));
        }
    }
}
