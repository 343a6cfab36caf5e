using System.Text;
using GitMesh.Connectors.Webhooks;

namespace GitMesh.Connectors.GitHub.Tests.Shared;

// Tests for libs/GitMesh.Connectors/Webhooks live here until the shared connectors library gets its own test project.
public sealed class WebhookSignatureTests
{
    private const string Secret = "whsec_test";
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"kind":"post","externalId":"1","title":"hi"}""");

    [Fact]
    public void Header_created_by_the_sender_verifies()
    {
        var header = WebhookSignature.CreateHeader(Secret, Now, Body);

        header.ShouldStartWith("t=1700000000,v1=");
        WebhookSignature.Verify(header, Body, Secret, Now).ShouldBe(WebhookSignatureStatus.Valid);
    }

    [Fact]
    public void Signature_is_hmac_of_timestamp_dot_body()
    {
        var expected = HmacSha256Signature.ComputeHex(Encoding.UTF8.GetBytes(Secret), Encoding.UTF8.GetBytes("1700000000." + Encoding.UTF8.GetString(Body)));

        WebhookSignature.CreateHeader(Secret, Now, Body).ShouldBe($"t=1700000000,v1={expected}");
    }

    [Fact]
    public void Replay_outside_the_tolerance_window_is_rejected()
    {
        var header = WebhookSignature.CreateHeader(Secret, Now, Body);

        WebhookSignature.Verify(header, Body, Secret, Now.AddMinutes(6)).ShouldBe(WebhookSignatureStatus.OutsideTolerance);
        WebhookSignature.Verify(header, Body, Secret, Now.AddMinutes(-6)).ShouldBe(WebhookSignatureStatus.OutsideTolerance);
        WebhookSignature.Verify(header, Body, Secret, Now.AddMinutes(4)).ShouldBe(WebhookSignatureStatus.Valid);
    }

    [Fact]
    public void Tampered_body_timestamp_or_secret_is_a_mismatch()
    {
        var header = WebhookSignature.CreateHeader(Secret, Now, Body);
        var shiftedTimestamp = header.Replace("t=1700000000", "t=1700000001", StringComparison.Ordinal);

        WebhookSignature.Verify(header, Encoding.UTF8.GetBytes("{}"), Secret, Now).ShouldBe(WebhookSignatureStatus.Mismatch);
        WebhookSignature.Verify(shiftedTimestamp, Body, Secret, Now).ShouldBe(WebhookSignatureStatus.Mismatch);
        WebhookSignature.Verify(header, Body, "other", Now).ShouldBe(WebhookSignatureStatus.Mismatch);
    }

    [Fact]
    public void Any_of_several_v1_signatures_matches_during_secret_rotation()
    {
        var header = WebhookSignature.CreateHeader(Secret, Now, Body);
        var rotated = $"t=1700000000,v1={new string('0', 64)},{header.Split(',')[1]}";

        WebhookSignature.Verify(rotated, Body, Secret, Now).ShouldBe(WebhookSignatureStatus.Valid);
    }

    [Theory]
    [InlineData(null, WebhookSignatureStatus.Missing)]
    [InlineData("", WebhookSignatureStatus.Missing)]
    [InlineData("v1=abc", WebhookSignatureStatus.Malformed)]
    [InlineData("t=1700000000", WebhookSignatureStatus.Malformed)]
    [InlineData("t=abc,v1=00", WebhookSignatureStatus.Malformed)]
    [InlineData("t=1700000000,t=1700000000,v1=00", WebhookSignatureStatus.Malformed)]
    [InlineData("garbage", WebhookSignatureStatus.Malformed)]
    [InlineData("t=1700000000,v1=nothex", WebhookSignatureStatus.Mismatch)]
    public void Missing_or_malformed_headers_are_rejected(string? header, WebhookSignatureStatus expected) =>
        WebhookSignature.Verify(header, Body, Secret, Now).ShouldBe(expected);
}

public sealed class GenericWebhookPayloadTests
{
    [Fact]
    public void Single_envelope_object_is_parsed_and_unknown_fields_are_ignored()
    {
        var body = """
            {"source":"Intercom","kind":"message","externalId":"conv-1","url":"https://app.example.com/c/1","title":"Export is slow",
             "body":"Takes minutes","author":{"username":"ana","displayName":"Ana","profileUrl":"https://example.com/ana"},
             "createdAt":"2024-05-01T10:00:00+02:00","parentExternalId":null,"metadata":{"plan":"pro","seats":12},"futureField":{"x":1}}
            """;

        var result = GenericWebhookPayload.Parse(Encoding.UTF8.GetBytes(body));

        result.IsMalformed.ShouldBeFalse();
        result.ItemErrors.ShouldBeEmpty();
        var signal = result.Signals.Single();
        signal.Source.ShouldBe("intercom");
        signal.Kind.ShouldBe("message");
        signal.ExternalId.ShouldBe("conv-1");
        signal.Author.ShouldBe(new GitMesh.Domain.Signals.SignalAuthor("ana", "Ana", "https://example.com/ana"));
        signal.CreatedAt.ShouldBe(new DateTimeOffset(2024, 5, 1, 8, 0, 0, TimeSpan.Zero));
        signal.Metadata!["plan"].ShouldBe("pro");
        signal.Metadata["seats"].ShouldBe("12");
    }

    [Fact]
    public void Array_reports_each_bad_item_by_index_and_keeps_the_good_ones()
    {
        var body = """
            [
              {"kind":"post","externalId":"a","title":"fine"},
              {"kind":"post","title":"no id"},
              {"kind":"post","externalId":"c","title":"bad date","createdAt":"yesterday"},
              "not an object",
              {"kind":"post","externalId":"e","body":"fine too","author":"bob"},
              {"kind":"Not A Token!","externalId":"f","title":"x"},
              {"kind":"post","externalId":"g"}
            ]
            """;

        var result = GenericWebhookPayload.Parse(Encoding.UTF8.GetBytes(body));

        result.Signals.Select(s => s.ExternalId).ShouldBe(["a", "e"]);
        result.Signals.ShouldAllBe(s => s.Source == "webhook");
        result.Signals[1].Author!.Username.ShouldBe("bob");
        result.ItemErrors.Select(e => e.Index).ShouldBe([1, 2, 3, 5, 6]);
        result.ItemErrors[0].Message.ShouldContain("externalId");
        result.ItemErrors[1].Message.ShouldContain("createdAt");
        result.ItemErrors[2].Message.ShouldContain("object");
        result.ItemErrors[4].Message.ShouldContain("title or body");
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("42")]
    [InlineData("[]")]
    [InlineData("")]
    public void Unusable_body_is_malformed_as_a_whole(string body) =>
        GenericWebhookPayload.Parse(Encoding.UTF8.GetBytes(body)).IsMalformed.ShouldBeTrue();
}
