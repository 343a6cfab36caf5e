using System.Text;
using GitMesh.Connectors.Webhooks;

namespace GitMesh.Connectors.GitHub.Webhooks;

/// <summary>
/// Verifies GitHub's <c>X-Hub-Signature-256: sha256=&lt;hex&gt;</c>: HMAC-SHA256 of the raw request body keyed with the
/// webhook secret, compared in constant time. Pass the body bytes exactly as received: re-serialised JSON does not verify.
/// </summary>
public static class GitHubWebhookVerifier
{
    public const string SignatureHeader = "X-Hub-Signature-256";
    public const string EventHeader = "X-GitHub-Event";
    public const string DeliveryHeader = "X-GitHub-Delivery";

    private const string Prefix = "sha256=";

    /// <returns>False for a missing, malformed or non-matching signature, or an empty secret.</returns>
    public static bool Verify(string? signatureHeader, ReadOnlySpan<byte> rawBody, string secret)
    {
        if (string.IsNullOrEmpty(secret) || string.IsNullOrWhiteSpace(signatureHeader))
        {
            return false;
        }

        var value = signatureHeader.AsSpan().Trim();
        if (!value.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return false;
        }

        return HmacSha256Signature.VerifyHex(value[Prefix.Length..], Encoding.UTF8.GetBytes(secret), rawBody);
    }

    /// <summary>The header value GitHub would send for <paramref name="rawBody"/> (tests and "redeliver" tooling).</summary>
    public static string Sign(ReadOnlySpan<byte> rawBody, string secret) =>
        Prefix + HmacSha256Signature.ComputeHex(Encoding.UTF8.GetBytes(secret), rawBody);
}
