using System.Globalization;
using System.Security.Cryptography;

namespace GitMesh.Connectors.Webhooks;

/// <summary>
/// HMAC-SHA256 primitives shared by every signed webhook (GitHub's <c>X-Hub-Signature-256</c>, our own
/// <c>X-GitMesh-Signature</c>, and the trackers'). Comparison is always constant-time so a caller probing with forged
/// signatures learns nothing from response timing.
/// </summary>
public static class HmacSha256Signature
{
    /// <summary>Length of a SHA-256 digest in hex characters.</summary>
    public const int HexLength = 64;

    public static byte[] Compute(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> payload) => HMACSHA256.HashData(secret, payload);

    public static string ComputeHex(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> payload) =>
        Convert.ToHexStringLower(Compute(secret, payload));

    /// <summary>
    /// True when <paramref name="hexDigest"/> is a well-formed hex SHA-256 digest equal to the HMAC of <paramref name="payload"/>.
    /// Malformed hex is simply "not equal": callers never need to distinguish it from a wrong secret.
    /// </summary>
    public static bool VerifyHex(ReadOnlySpan<char> hexDigest, ReadOnlySpan<byte> secret, ReadOnlySpan<byte> payload)
    {
        if (hexDigest.Length != HexLength)
        {
            return false;
        }

        Span<byte> provided = stackalloc byte[HexLength / 2];
        for (var i = 0; i < provided.Length; i++)
        {
            if (!byte.TryParse(hexDigest.Slice(i * 2, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out provided[i]))
            {
                return false;
            }
        }

        Span<byte> expected = stackalloc byte[HexLength / 2];
        HMACSHA256.HashData(secret, payload, expected);
        return CryptographicOperations.FixedTimeEquals(provided, expected);
    }
}
