using System.Net.Http.Headers;
using System.Text;
using Amazon.Runtime;
using GitMesh.Messaging.Sqs;

namespace GitMesh.Messaging.Tests;

/// <summary>
/// Vectors of the AWS Signature Version 4 test suite (get-vanilla, post-vanilla, post-x-www-form-urlencoded) and the
/// IAM ListUsers example of the SigV4 documentation: same credentials, date and region; the expected signatures are
/// AWS's published ones.
/// </summary>
public sealed class SigV4SignerTests
{
    private static readonly ImmutableCredentials Example = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", null);
    private static readonly DateTime SignedAt = new(2015, 8, 30, 12, 36, 0, DateTimeKind.Utc);

    [Theory]
    [InlineData("GET", "https://example.amazonaws.com/", "service", null, "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31")]
    [InlineData("POST", "https://example.amazonaws.com/", "service", null, "", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b")]
    [InlineData("POST", "https://example.amazonaws.com/", "service", "application/x-www-form-urlencoded", "Param1=value1", "content-type;host;x-amz-date",
        "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a")]
    [InlineData("GET", "https://iam.amazonaws.com/?Action=ListUsers&Version=2010-05-08", "iam", "application/x-www-form-urlencoded; charset=utf-8", "",
        "content-type;host;x-amz-date", "5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7")]
    public void Signature_matches_the_published_aws_vector(string method, string url, string service, string? contentType, string body, string signedHeaders, string signature)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        var bytes = Encoding.UTF8.GetBytes(body);
        if (contentType is not null)
        {
            request.Content = new ByteArrayContent(bytes);
            request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        }

        SigV4Signer.Sign(request, bytes, Example, "us-east-1", service, SignedAt);

        request.Headers.GetValues("Authorization").Single().ShouldBe(
            $"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/{service}/aws4_request, SignedHeaders={signedHeaders}, Signature={signature}");
        request.Headers.GetValues("X-Amz-Date").Single().ShouldBe("20150830T123600Z");
    }

    [Fact]
    public void Temporary_credentials_add_and_sign_the_security_token()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "https://sqs.eu-west-1.amazonaws.com/");
        request.Content = new ByteArrayContent("{}"u8.ToArray());
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/x-amz-json-1.0");
        request.Headers.TryAddWithoutValidation("X-Amz-Target", "AmazonSQS.ListQueues");

        SigV4Signer.Sign(request, "{}"u8, new ImmutableCredentials("ASIAEXAMPLE", "secret", "session-token"), "eu-west-1", "sqs", SignedAt);

        request.Headers.GetValues("X-Amz-Security-Token").Single().ShouldBe("session-token");
        request.Headers.GetValues("Authorization").Single()
            .ShouldContain("SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target");
    }
}
