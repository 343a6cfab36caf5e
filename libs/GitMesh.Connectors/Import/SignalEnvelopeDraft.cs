using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using GitMesh.Domain.Signals;

namespace GitMesh.Connectors.Import;

/// <summary>How untrusted envelopes (generic webhook, file import) are completed and validated.</summary>
/// <param name="DefaultSource">Used when an item names no source, e.g. <see cref="SignalSources.Import"/>; null makes source required.</param>
/// <param name="DefaultKind">Used when an item names no kind, e.g. <see cref="SignalKinds.Post"/>; null makes kind required.</param>
/// <param name="DeriveMissingExternalId">
/// When true a missing external id becomes a stable hash of source, title, body and createdAt, so re-importing the same
/// file is idempotent; when false (webhooks) the sender must name its items.
/// </param>
public sealed record EnvelopeRules(string? DefaultSource, string? DefaultKind, bool DeriveMissingExternalId)
{
    public static EnvelopeRules Import { get; } = new(SignalSources.Import, SignalKinds.Post, DeriveMissingExternalId: true);

    public static EnvelopeRules Webhook { get; } = new(SignalSources.Webhook, null, DeriveMissingExternalId: false);
}

/// <summary>
/// The loosely-typed fields of one inbound envelope before validation. CSV rows and JSON objects both fill a draft so
/// the two import formats and the generic webhook accept exactly the same things.
/// </summary>
public sealed partial class SignalEnvelopeDraft
{
    public const int MaxExternalIdLength = 512;

    public string? Source { get; set; }
    public string? Kind { get; set; }
    public string? ExternalId { get; set; }
    public string? Url { get; set; }
    public string? Title { get; set; }
    public string? Body { get; set; }
    public string? AuthorUsername { get; set; }
    public string? AuthorDisplayName { get; set; }
    public string? AuthorProfileUrl { get; set; }
    public string? CreatedAt { get; set; }
    public string? UpdatedAt { get; set; }
    public string? ParentExternalId { get; set; }
    public bool Deleted { get; set; }
    public Dictionary<string, string>? Metadata { get; set; }

    /// <summary>Validates and completes the draft. Returns null and sets <paramref name="error"/> to a user-facing reason on failure.</summary>
    public SignalEnvelope? TryBuild(EnvelopeRules rules, out string? error)
    {
        var source = Normalize(Source)?.ToLowerInvariant() ?? rules.DefaultSource;
        if (source is null)
        {
            error = "source is required";
            return null;
        }

        if (!TokenPattern().IsMatch(source))
        {
            error = $"source '{Truncate(source)}' must be a lower-case token (a-z, 0-9, '.', '_', '-'; at most 64 characters)";
            return null;
        }

        var kind = Normalize(Kind)?.ToLowerInvariant() ?? rules.DefaultKind;
        if (kind is null)
        {
            error = "kind is required";
            return null;
        }

        if (!TokenPattern().IsMatch(kind))
        {
            error = $"kind '{Truncate(kind)}' must be a lower-case token (a-z, 0-9, '.', '_', '-'; at most 64 characters)";
            return null;
        }

        var title = Normalize(Title);
        var body = Normalize(Body);
        if (title is null && body is null)
        {
            error = "title or body is required";
            return null;
        }

        if (!TryParseDate(CreatedAt, "createdAt", out var createdAt, out error) ||
            !TryParseDate(UpdatedAt, "updatedAt", out var updatedAt, out error))
        {
            return null;
        }

        var url = Normalize(Url);
        if (url is not null && !IsHttpUrl(url))
        {
            error = $"url '{Truncate(url)}' must be an absolute http(s) URL";
            return null;
        }

        var profileUrl = Normalize(AuthorProfileUrl);
        if (profileUrl is not null && !IsHttpUrl(profileUrl))
        {
            error = $"author profileUrl '{Truncate(profileUrl)}' must be an absolute http(s) URL";
            return null;
        }

        var username = Normalize(AuthorUsername);
        var displayName = Normalize(AuthorDisplayName);
        if (username is null && (displayName is not null || profileUrl is not null))
        {
            error = "author.username is required when an author is given";
            return null;
        }

        var externalId = Normalize(ExternalId);
        if (externalId is null)
        {
            if (!rules.DeriveMissingExternalId)
            {
                error = "externalId is required";
                return null;
            }

            externalId = DeriveExternalId(source, title, body, createdAt);
        }
        else if (externalId.Length > MaxExternalIdLength)
        {
            error = $"externalId is longer than {MaxExternalIdLength} characters";
            return null;
        }

        var parent = Normalize(ParentExternalId);
        if (parent is { Length: > MaxExternalIdLength })
        {
            error = $"parentExternalId is longer than {MaxExternalIdLength} characters";
            return null;
        }

        error = null;
        return new SignalEnvelope
        {
            Source = source,
            Kind = kind,
            ExternalId = externalId,
            Url = url,
            Title = title,
            Body = body,
            Author = username is null ? null : new SignalAuthor(username, displayName, profileUrl),
            CreatedAt = createdAt,
            UpdatedAt = updatedAt,
            ParentExternalId = parent,
            Deleted = Deleted,
            Metadata = Metadata is { Count: > 0 } ? Metadata : null,
        };
    }

    /// <summary>
    /// Stable id for items that carry none: the same content imported twice maps to the same signal. Fields are joined
    /// with a unit separator so ("ab","c") and ("a","bc") cannot collide.
    /// </summary>
    public static string DeriveExternalId(string source, string? title, string? body, DateTimeOffset? createdAt)
    {
        var material = string.Join('\u001f', source, title ?? string.Empty, body ?? string.Empty,
            createdAt?.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture) ?? string.Empty);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(material));
        return "sha256:" + Convert.ToHexStringLower(hash.AsSpan(0, 16));
    }

    private static bool TryParseDate(string? value, string field, out DateTimeOffset? parsed, out string? error)
    {
        parsed = null;
        error = null;
        var text = Normalize(value);
        if (text is null)
        {
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var date))
        {
            parsed = date;
            return true;
        }

        // Spreadsheet exports often carry unix seconds.
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var unix) && unix < 100_000_000_000)
        {
            parsed = DateTimeOffset.FromUnixTimeSeconds(unix);
            return true;
        }

        error = $"{field} '{Truncate(text)}' is not an ISO 8601 date";
        return false;
    }

    private static bool IsHttpUrl(string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static string? Normalize(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    private static string Truncate(string value) => value.Length <= 40 ? value : value[..40] + "…";

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant)]
    private static partial Regex TokenPattern();
}
