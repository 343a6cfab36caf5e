using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GitMesh.Api.Features.OutgoingWebhooks;

/// <summary>
/// <c>X-GitMesh-Signature: t=&lt;unix seconds&gt;,v1=&lt;hex HMAC-SHA256 of "{t}.{body}"&gt;</c>, keyed with the UTF-8 bytes of the
/// webhook's secret. Receivers recompute it over the raw body and reject old timestamps to stop replays.
/// </summary>
public static class WebhookSignature
{
    public const string HeaderName = "X-GitMesh-Signature";

    public static string NewSecret() => "whsec_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static string Compute(string secret, long timestamp, string body)
    {
        var t = timestamp.ToString(CultureInfo.InvariantCulture);
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes(t + "." + body));
        return $"t={t},v1={Convert.ToHexStringLower(mac)}";
    }
}
