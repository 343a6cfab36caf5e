using System.Text.Json;

namespace GitMesh.Connectors.Import;

/// <summary>
/// Reads one envelope object in the public inbound shape
/// <c>{source, kind, externalId, url, title, body, author:{username,displayName,profileUrl}, createdAt, updatedAt,
/// parentExternalId, deleted, metadata:{...}}</c>. Property names are matched case-insensitively and unknown properties
/// are ignored, so senders can add fields without breaking older GitMesh versions.
/// </summary>
public static class SignalEnvelopeJson
{
    /// <summary>Fills a draft from <paramref name="element"/>; returns null with a reason when the JSON shape itself is wrong.</summary>
    public static SignalEnvelopeDraft? ReadDraft(JsonElement element, out string? error)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = $"expected a JSON object but found {Describe(element.ValueKind)}";
            return null;
        }

        var draft = new SignalEnvelopeDraft();
        foreach (var property in element.EnumerateObject())
        {
            var name = property.Name;
            var value = property.Value;
            string? text;
            switch (name.ToLowerInvariant())
            {
                case "source":
                case "kind":
                case "externalid":
                case "url":
                case "title":
                case "body":
                case "createdat":
                case "updatedat":
                case "parentexternalid":
                    if (!TryReadScalar(value, out text))
                    {
                        error = $"{name} must be a string but is {Describe(value.ValueKind)}";
                        return null;
                    }

                    Assign(draft, name.ToLowerInvariant(), text);
                    break;
                case "deleted":
                    if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                    {
                        error = $"deleted must be a boolean but is {Describe(value.ValueKind)}";
                        return null;
                    }

                    draft.Deleted = value.ValueKind == JsonValueKind.True;
                    break;
                case "author":
                    if (!ReadAuthor(draft, value, out error))
                    {
                        return null;
                    }

                    break;
                case "metadata":
                    if (!ReadMetadata(draft, value, out error))
                    {
                        return null;
                    }

                    break;
            }
        }

        error = null;
        return draft;
    }

    private static void Assign(SignalEnvelopeDraft draft, string lowerName, string? text)
    {
        switch (lowerName)
        {
            case "source": draft.Source = text; break;
            case "kind": draft.Kind = text; break;
            case "externalid": draft.ExternalId = text; break;
            case "url": draft.Url = text; break;
            case "title": draft.Title = text; break;
            case "body": draft.Body = text; break;
            case "createdat": draft.CreatedAt = text; break;
            case "updatedat": draft.UpdatedAt = text; break;
            case "parentexternalid": draft.ParentExternalId = text; break;
        }
    }

    private static bool ReadAuthor(SignalEnvelopeDraft draft, JsonElement value, out string? error)
    {
        error = null;
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                return true;
            case JsonValueKind.String:
                // A bare string is the username: the most common shape in hand-written integrations.
                draft.AuthorUsername = value.GetString();
                return true;
            case JsonValueKind.Object:
                foreach (var property in value.EnumerateObject())
                {
                    if (!TryReadScalar(property.Value, out var text))
                    {
                        error = $"author.{property.Name} must be a string but is {Describe(property.Value.ValueKind)}";
                        return false;
                    }

                    switch (property.Name.ToLowerInvariant())
                    {
                        case "username": draft.AuthorUsername = text; break;
                        case "displayname": draft.AuthorDisplayName = text; break;
                        case "profileurl": draft.AuthorProfileUrl = text; break;
                    }
                }

                return true;
            default:
                error = $"author must be an object or a string but is {Describe(value.ValueKind)}";
                return false;
        }
    }

    private static bool ReadMetadata(SignalEnvelopeDraft draft, JsonElement value, out string? error)
    {
        error = null;
        if (value.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (value.ValueKind != JsonValueKind.Object)
        {
            error = $"metadata must be an object but is {Describe(value.ValueKind)}";
            return false;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var property in value.EnumerateObject())
        {
            metadata[property.Name] = property.Value.ValueKind switch
            {
                JsonValueKind.String => property.Value.GetString()!,
                // Numbers, booleans and nested values are kept as their JSON text rather than rejected.
                _ => property.Value.GetRawText(),
            };
        }

        draft.Metadata = metadata;
        return true;
    }

    private static bool TryReadScalar(JsonElement value, out string? text)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.String:
                text = value.GetString();
                return true;
            case JsonValueKind.Null:
                text = null;
                return true;
            case JsonValueKind.Number:
                // Numeric ids and unix timestamps are common; accept their literal text.
                text = value.GetRawText();
                return true;
            default:
                text = null;
                return false;
        }
    }

    private static string Describe(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
