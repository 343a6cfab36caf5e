using System.Net;
using System.Net.Sockets;

namespace GitMesh.Api.Features.OutgoingWebhooks;

/// <summary>Thrown when a webhook target resolves to an address outgoing webhooks may not reach.</summary>
public sealed class WebhookTargetRejectedException(string message) : Exception(message);

/// <summary>
/// SSRF protection for outgoing webhooks: only http(s) URLs whose host resolves, every address of it, to a public
/// address. Checked when a webhook is saved and again at connect time (the dispatcher connects only to addresses it
/// checked), so a DNS answer that changes after validation cannot redirect a delivery into the internal network.
/// </summary>
public static class WebhookTargetGuard
{
    /// <summary>Returns why the URL is not allowed, or null when it is.</summary>
    public static async Task<string?> ValidateAsync(string? url, bool allowPrivateTargets, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "'url' is required.";
        }

        if (url.Length > 2000 || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
        {
            return "'url' must be an absolute URL of at most 2000 characters.";
        }

        if (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
        {
            return "'url' must use http or https.";
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            return "'url' may not contain credentials.";
        }

        if (allowPrivateTargets)
        {
            return null;
        }

        try
        {
            var addresses = await ResolveAsync(uri.DnsSafeHost, ct);
            return addresses.Length == 0 ? "The host of 'url' does not resolve." : null;
        }
        catch (WebhookTargetRejectedException ex)
        {
            return ex.Message;
        }
        catch (SocketException)
        {
            return "The host of 'url' does not resolve.";
        }
    }

    /// <summary>Every address of the host; throws <see cref="WebhookTargetRejectedException"/> if any of them is not public.</summary>
    public static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken ct)
    {
        if (host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new WebhookTargetRejectedException("'url' may not point at localhost.");
        }

        var addresses = IPAddress.TryParse(host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
        if (addresses.FirstOrDefault(IsBlocked) is { } blocked)
        {
            throw new WebhookTargetRejectedException($"'url' resolves to {blocked}, a loopback, private, link-local or reserved address.");
        }

        return addresses;
    }

    public static bool IsBlocked(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 0 // "this network"
                || b[0] == 10
                || b[0] == 127
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127) // carrier-grade NAT
                || (b[0] == 192 && b[1] == 0 && b[2] == 0)
                || (b[0] == 198 && (b[1] == 18 || b[1] == 19)) // benchmarking
                || b[0] >= 224; // multicast, reserved, broadcast
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var b = address.GetAddressBytes();
            return IPAddress.IsLoopback(address)
                || address.Equals(IPAddress.IPv6Any)
                || address.IsIPv6LinkLocal
                || address.IsIPv6SiteLocal
                || address.IsIPv6Multicast
                || address.IsIPv6UniqueLocal
                || (b[0] & 0xFE) == 0xFC
                // IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::/96) embed an IPv4 address; check it.
                || (b.Take(12).All(x => x == 0) && IsBlocked(new IPAddress(b[12..])))
                || (b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b && b[4..12].All(x => x == 0) && IsBlocked(new IPAddress(b[12..])));
        }

        return true;
    }
}
