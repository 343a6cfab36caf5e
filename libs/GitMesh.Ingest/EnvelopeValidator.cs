using System.Text.RegularExpressions;
using GitMesh.Domain.Signals;

namespace GitMesh.Ingest;

/// <summary>Checks one envelope against the ingest contract; returns null when valid, else a reason a caller can act on.</summary>
public static partial class EnvelopeValidator
{
    public static string? Validate(SignalEnvelope e, IngestOptions options)
    {
        if (string.IsNullOrWhiteSpace(e.Source) || !Token().IsMatch(e.Source))
        {
            return "'source' is required: a lower-case token such as github, reddit, x, stackoverflow, discord.";
        }

        if (string.IsNullOrWhiteSpace(e.Kind) || !Token().IsMatch(e.Kind))
        {
            return "'kind' is required: a lower-case token such as issue, comment, post, question, answer, message.";
        }

        if (string.IsNullOrWhiteSpace(e.ExternalId))
        {
            return "'externalId' is required: the item's stable id at its source.";
        }

        if (e.ExternalId.Length > 300)
        {
            return "'externalId' must be at most 300 characters.";
        }

        if (e.Title is { Length: var t } && t > options.MaxTitleChars)
        {
            return $"'title' is {t} characters; the limit is {options.MaxTitleChars}.";
        }

        if (e.Body is { Length: var b } && b > options.MaxBodyChars)
        {
            return $"'body' is {b} characters; the limit is {options.MaxBodyChars}.";
        }

        if (!e.Deleted && string.IsNullOrWhiteSpace(e.Title) && string.IsNullOrWhiteSpace(e.Body))
        {
            return "'title' or 'body' must have text.";
        }

        if (e.Url is { Length: > 0 } url && (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || url.Length > 2000))
        {
            return "'url' must be an absolute http(s) URL of at most 2000 characters.";
        }

        if (e.Author is { } author && (string.IsNullOrWhiteSpace(author.Username) || author.Username.Length > 300))
        {
            return "'author.username' is required when 'author' is given (at most 300 characters).";
        }

        if (e.Author?.ProfileUrl is { Length: > 0 } profile && !Uri.TryCreate(profile, UriKind.Absolute, out _))
        {
            return "'author.profileUrl' must be an absolute URL.";
        }

        if (e.ParentExternalId is { Length: > 300 })
        {
            return "'parentExternalId' must be at most 300 characters.";
        }

        if (e.Metadata is { Count: var m } && m > options.MaxMetadataEntries)
        {
            return $"'metadata' has {m} entries; the limit is {options.MaxMetadataEntries}.";
        }

        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_.-]{0,39}$")]
    private static partial Regex Token();
}
