using System.Globalization;
using System.Text;

namespace GitMesh.Connectors.Webhooks;

/// <summary>Outcome of checking a signed generic webhook delivery.</summary>
public enum WebhookSignatureStatus
{
    Valid,
    /// <summary>No signature header was sent.</summary>
    Missing,
    /// <summary>The header is not <c>t=&lt;unix&gt;,v1=&lt;hex&gt;</c>.</summary>
    Malformed,
    /// <summary>The timestamp is outside the tolerance window (a replayed or badly delayed delivery).</summary>
    OutsideTolerance,
    /// <summary>No <c>v1</c> signature matches the body with this secret.</summary>
    Mismatch,
}

/// <summary>
/// The signature scheme of GitMesh's generic inbound webhook.
/// <para>
/// Header <c>X-GitMesh-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex&gt;</c>, where <c>hex</c> is the lower-case
/// HMAC-SHA256, keyed with the integration's webhook secret, of the UTF-8 bytes <c>"{t}."</c> followed by the raw
/// request body exactly as received (no re-serialisation). Binding the timestamp into the MAC and rejecting timestamps
/// outside a tolerance window (default 5 minutes, either direction, to absorb clock skew) stops a captured delivery
/// being replayed later; replays inside the window are caught by delivery-id idempotency downstream.
/// Several <c>v1=</c> entries may be sent while a secret is being rotated; any match is accepted.
/// </para>
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-GitMesh-Signature";

    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>Builds the header value a sender attaches (used by our tests, SDK snippets and the "send test delivery" action).</summary>
    public static string CreateHeader(string secret, DateTimeOffset timestamp, ReadOnlySpan<byte> rawBody)
    {
        var t = timestamp.ToUnixTimeSeconds();
        return string.Create(CultureInfo.InvariantCulture, $"t={t},v1={ComputeHex(secret, t, rawBody)}");
    }

    public static string ComputeHex(string secret, long unixTimestamp, ReadOnlySpan<byte> rawBody) =>
        Convert.ToHexStringLower(HmacSha256Signature.Compute(Encoding.UTF8.GetBytes(secret), SignedPayload(unixTimestamp, rawBody)));

    public static WebhookSignatureStatus Verify(string? headerValue, ReadOnlySpan<byte> rawBody, string secret, DateTimeOffset now) =>
        Verify(headerValue, rawBody, secret, now, DefaultTolerance);

    public static WebhookSignatureStatus Verify(string? headerValue, ReadOnlySpan<byte> rawBody, string secret, DateTimeOffset now, TimeSpan tolerance)
    {
        if (string.IsNullOrWhiteSpace(headerValue))
        {
            return WebhookSignatureStatus.Missing;
        }

        long? timestamp = null;
        var signatures = new List<string>(1);
        foreach (var part in headerValue.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return WebhookSignatureStatus.Malformed;
            }

            var key = part[..eq];
            var value = part[(eq + 1)..];
            if (key == "t")
            {
                if (timestamp is not null || !long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var t))
                {
                    return WebhookSignatureStatus.Malformed;
                }

                timestamp = t;
            }
            else if (key == "v1")
            {
                signatures.Add(value);
            }

            // Unknown keys (future schemes such as v2) are ignored so senders can dual-sign during a migration.
        }

        if (timestamp is null || signatures.Count == 0)
        {
            return WebhookSignatureStatus.Malformed;
        }

        var skew = now.ToUnixTimeSeconds() - timestamp.Value;
        if (Math.Abs(skew) > (long)tolerance.TotalSeconds)
        {
            return WebhookSignatureStatus.OutsideTolerance;
        }

        var secretBytes = Encoding.UTF8.GetBytes(secret);
        var payload = SignedPayload(timestamp.Value, rawBody);
        var matched = false;
        foreach (var signature in signatures)
        {
            // No early exit: every candidate is checked so timing does not reveal which entry matched.
            matched |= HmacSha256Signature.VerifyHex(signature, secretBytes, payload);
        }

        return matched ? WebhookSignatureStatus.Valid : WebhookSignatureStatus.Mismatch;
    }

    private static byte[] SignedPayload(long unixTimestamp, ReadOnlySpan<byte> rawBody)
    {
        var prefix = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{unixTimestamp}."));
        var payload = new byte[prefix.Length + rawBody.Length];
        prefix.CopyTo(payload, 0);
        rawBody.CopyTo(payload.AsSpan(prefix.Length));
        return payload;
    }
}
