using System.Globalization;
using System.Text.Json;
using GitMesh.Domain.Signals;

namespace GitMesh.Integrations.Catalog;

/// <summary>A field-level validation error; <see cref="Field"/> is the request path, e.g. "settings.repo".</summary>
public sealed record FieldError(string Field, string Message);

/// <summary>
/// Checks settings and credentials against the type's schema and normalises them to the string key/values connectors
/// read (booleans as "true"/"false", lists one item per line). Errors name the field so the API can answer a precise 400.
/// </summary>
public static class IntegrationSettingsValidator
{
    private const int MaxValueLength = 4000;
    private const int MaxSecretLength = 16000;

    public static Dictionary<string, string> NormalizeSettings(IntegrationType type, IReadOnlyDictionary<string, JsonElement>? settings, List<FieldError> errors)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in settings ?? new Dictionary<string, JsonElement>())
        {
            var field = type.Settings.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.Ordinal));
            if (field is null)
            {
                errors.Add(new FieldError($"settings.{name}", UnknownMessage(name, type.Settings, type.Type)));
                continue;
            }

            if (value.ValueKind == JsonValueKind.Null)
            {
                continue;
            }

            if (Normalize(field, value, out var error) is { } normalized)
            {
                if (normalized.Length > 0)
                {
                    result[name] = normalized;
                }
            }
            else
            {
                errors.Add(new FieldError($"settings.{name}", error!));
            }
        }

        foreach (var field in type.Settings.Where(f => f.Required && !result.ContainsKey(f.Name)))
        {
            errors.Add(new FieldError($"settings.{field.Name}", $"'{field.Name}' is required for {type.DisplayName}: {field.Description}"));
        }

        CheckRules(type.Type, result, errors);
        return result;
    }

    /// <summary>
    /// Applies a credentials patch to the stored set: a string sets a key, null (or an empty string) removes it. Only
    /// <paramref name="requireComplete"/> checks that the required keys end up present (create, or an explicit change).
    /// </summary>
    public static Dictionary<string, string> MergeCredentials(
        IntegrationType type, IReadOnlyDictionary<string, string>? stored, IReadOnlyDictionary<string, string?>? patch, bool requireComplete, List<FieldError> errors)
    {
        var result = new Dictionary<string, string>(stored ?? new Dictionary<string, string>(), StringComparer.Ordinal);
        foreach (var (name, value) in patch ?? new Dictionary<string, string?>())
        {
            if (!type.Credentials.Any(f => string.Equals(f.Name, name, StringComparison.Ordinal)))
            {
                errors.Add(new FieldError($"credentials.{name}", UnknownMessage(name, type.Credentials, type.Type)));
                continue;
            }

            if (string.IsNullOrWhiteSpace(value))
            {
                result.Remove(name);
            }
            else if (value.Length > MaxSecretLength)
            {
                errors.Add(new FieldError($"credentials.{name}", $"'{name}' must be at most {MaxSecretLength} characters."));
            }
            else
            {
                result[name] = value.Trim();
            }
        }

        if (requireComplete)
        {
            foreach (var field in type.Credentials.Where(f => f.Required && !result.ContainsKey(f.Name)))
            {
                errors.Add(new FieldError($"credentials.{field.Name}", $"'{field.Name}' is required for {type.DisplayName}: {field.Description}"));
            }

            if (type.Type == SignalSources.GitHub && !result.ContainsKey("token")
                && !(result.ContainsKey("appId") && result.ContainsKey("privateKey") && result.ContainsKey("installationId")))
            {
                errors.Add(new FieldError("credentials", "GitHub needs 'token', or 'appId', 'privateKey' and 'installationId' of a GitHub App."));
            }
        }

        if (type.Type == SignalSources.GitHub && result.TryGetValue("installationId", out var installation)
            && !long.TryParse(installation, NumberStyles.None, CultureInfo.InvariantCulture, out _))
        {
            errors.Add(new FieldError("credentials.installationId", "'installationId' must be a number."));
        }

        return result;
    }

    private static string? Normalize(IntegrationField field, JsonElement value, out string? error)
    {
        error = null;
        switch (field.Type)
        {
            case FieldTypes.Boolean:
                if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
                {
                    return value.ValueKind == JsonValueKind.True ? "true" : "false";
                }

                if (value.ValueKind == JsonValueKind.String && bool.TryParse(value.GetString(), out var parsed))
                {
                    return parsed ? "true" : "false";
                }

                error = $"'{field.Name}' must be true or false.";
                return null;
            case FieldTypes.List:
                var items = new List<string>();
                if (value.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in value.EnumerateArray())
                    {
                        if (item.ValueKind != JsonValueKind.String)
                        {
                            error = $"'{field.Name}' must be an array of strings.";
                            return null;
                        }

                        items.Add(item.GetString()!);
                    }
                }
                else if (value.ValueKind == JsonValueKind.String)
                {
                    items.AddRange(value.GetString()!.Split(['\n', '\r'], StringSplitOptions.RemoveEmptyEntries));
                }
                else
                {
                    error = $"'{field.Name}' must be an array of strings.";
                    return null;
                }

                var cleaned = items.Select(i => i.Trim()).Where(i => i.Length > 0).Distinct(StringComparer.Ordinal).ToList();
                if (field.Required && cleaned.Count == 0)
                {
                    error = $"'{field.Name}' needs at least one item.";
                    return null;
                }

                var joined = string.Join('\n', cleaned);
                return LengthChecked(field, joined, out error);
            case FieldTypes.Url:
                if (value.ValueKind != JsonValueKind.String)
                {
                    error = $"'{field.Name}' must be a string.";
                    return null;
                }

                var raw = value.GetString()!.Trim();
                if (raw.Length == 0)
                {
                    return string.Empty;
                }

                if (!Uri.TryCreate(raw, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                {
                    error = $"'{field.Name}' must be an absolute http(s) URL.";
                    return null;
                }

                return LengthChecked(field, raw, out error);
            default:
                if (value.ValueKind is JsonValueKind.Number)
                {
                    return value.GetRawText();
                }

                if (value.ValueKind != JsonValueKind.String)
                {
                    error = $"'{field.Name}' must be a string.";
                    return null;
                }

                return LengthChecked(field, value.GetString()!.Trim(), out error);
        }
    }

    private static string? LengthChecked(IntegrationField field, string value, out string? error)
    {
        error = value.Length > MaxValueLength ? $"'{field.Name}' must be at most {MaxValueLength} characters." : null;
        return error is null ? value : null;
    }

    private static void CheckRules(string type, Dictionary<string, string> settings, List<FieldError> errors)
    {
        switch (type)
        {
            case SignalSources.GitHub:
                var repo = settings.GetValueOrDefault("repo");
                var hasRepo = repo is not null && (repo.Contains('/', StringComparison.Ordinal) ? repo.Split('/').All(p => p.Trim().Length > 0) && repo.Count(c => c == '/') == 1 : settings.ContainsKey("owner"));
                if (settings.ContainsKey("org") && (settings.ContainsKey("repo") || settings.ContainsKey("owner")))
                {
                    errors.Add(new FieldError("settings.org", "Give either 'org' or 'owner' + 'repo', not both."));
                }
                else if (!settings.ContainsKey("org") && !hasRepo)
                {
                    errors.Add(new FieldError("settings.repo", "GitHub needs 'owner' and 'repo' (or 'repo' as owner/name), or 'org'."));
                }

                break;
            case SignalSources.Reddit when !settings.ContainsKey("subreddits") && !settings.ContainsKey("searchTerms"):
                errors.Add(new FieldError("settings.subreddits", "Reddit needs 'subreddits' or 'searchTerms'."));
                break;
            case SignalSources.StackOverflow when !settings.ContainsKey("tags") && !settings.ContainsKey("keywords"):
                errors.Add(new FieldError("settings.tags", "Stack Overflow needs 'tags' or 'keywords'."));
                break;
        }
    }

    private static string UnknownMessage(string name, IReadOnlyList<IntegrationField> fields, string type) =>
        fields.Count == 0
            ? $"'{name}' is not a field of {type}; it takes none."
            : $"'{name}' is not a field of {type}; expected one of: {string.Join(", ", fields.Select(f => f.Name))}.";
}
