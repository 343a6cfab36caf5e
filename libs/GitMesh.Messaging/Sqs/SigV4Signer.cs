using System.Globalization;
using Amazon.Runtime;
using Amazon.Runtime.Internal.Auth;

namespace GitMesh.Messaging.Sqs;

/// <summary>
/// Signs a raw <see cref="HttpRequestMessage"/> with AWS Signature Version 4, using AWSSDK.Core's own canonicalisation and
/// signature code (<see cref="AWS4Signer"/>) instead of a hand-rolled copy. The SDK's signer works on its internal
/// request type; deriving from it exposes the static building blocks, which only need headers, URI and body hash.
/// </summary>
public sealed class SigV4Signer : AWS4Signer
{
    private SigV4Signer()
    {
    }

    /// <summary>
    /// Adds Host-derived X-Amz-Date, X-Amz-Security-Token (temporary credentials) and Authorization. Every header already
    /// on the request or its content is signed, so add them (Content-Type, X-Amz-Target) before calling.
    /// </summary>
    public static AWS4SigningResult Sign(HttpRequestMessage request, ReadOnlySpan<byte> body, ImmutableCredentials credentials, string region, string service, DateTime utcNow)
    {
        var uri = request.RequestUri ?? throw new ArgumentException("The request has no URI.", nameof(request));
        if (!uri.IsAbsoluteUri)
        {
            throw new ArgumentException("Sign the request after resolving its absolute URI.", nameof(request));
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var header in request.Headers)
        {
            headers[header.Key] = string.Join(",", header.Value);
        }

        if (request.Content is not null)
        {
            foreach (var header in request.Content.Headers)
            {
                if (!header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
                {
                    headers[header.Key] = string.Join(",", header.Value);
                }
            }
        }

        headers.Remove("Authorization");
        var signedAt = InitializeHeaders(headers, uri, utcNow);
        if (credentials.UseToken)
        {
            headers["X-Amz-Security-Token"] = credentials.Token;
        }

        var sorted = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in headers)
        {
            sorted[key.ToLowerInvariant()] = value.Trim();
        }

        var bodyHash = Convert.ToHexStringLower(ComputeHash(body.ToArray()));
        var endpoint = new Uri(uri.GetLeftPart(UriPartial.Authority));
        var query = uri.Query.Length > 1 ? CanonicalizeQueryParameters(uri.Query[1..]) : string.Empty;
        var canonicalRequest = CanonicalizeRequest(endpoint, uri.AbsolutePath, request.Method.Method, sorted, query, bodyHash);
        var result = ComputeSignature(credentials, region, signedAt, service, CanonicalizeHeaderNames(sorted), canonicalRequest);

        request.Headers.Remove("X-Amz-Date");
        request.Headers.TryAddWithoutValidation("X-Amz-Date", signedAt.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture));
        if (credentials.UseToken)
        {
            request.Headers.Remove("X-Amz-Security-Token");
            request.Headers.TryAddWithoutValidation("X-Amz-Security-Token", credentials.Token);
        }

        request.Headers.Remove("Authorization");
        request.Headers.TryAddWithoutValidation("Authorization", result.ForAuthorizationHeader);
        return result;
    }
}
