using GitMesh.Domain.Signals;

namespace GitMesh.Ingest.Tests;

public sealed class EnvelopeValidatorTests
{
    private static readonly IngestOptions Options = new() { MaxBodyChars = 100, MaxTitleChars = 20 };

    private static SignalEnvelope Valid() => new() { Source = "github", Kind = "issue", ExternalId = "1", Title = "t", Body = "b", Url = "https://example.test/1" };

    [Fact]
    public void A_complete_envelope_is_valid() => EnvelopeValidator.Validate(Valid(), Options).ShouldBeNull();

    [Theory]
    [InlineData("source")]
    [InlineData("kind")]
    [InlineData("externalId")]
    [InlineData("text")]
    [InlineData("url")]
    [InlineData("title")]
    [InlineData("body")]
    public void Each_broken_field_gets_a_reason_naming_it(string field)
    {
        var e = field switch
        {
            "source" => Valid() with { Source = "Git Hub" },
            "kind" => Valid() with { Kind = "" },
            "externalId" => Valid() with { ExternalId = " " },
            "text" => Valid() with { Title = null, Body = " " },
            "url" => Valid() with { Url = "javascript:alert(1)" },
            "title" => Valid() with { Title = new string('x', 21) },
            _ => Valid() with { Body = new string('x', 101) },
        };
        var error = EnvelopeValidator.Validate(e, Options);
        error.ShouldNotBeNull();
        error.ShouldContain(field == "text" ? "'title' or 'body'" : $"'{field}'");
    }

    [Fact]
    public void A_deletion_needs_no_text() => EnvelopeValidator.Validate(Valid() with { Title = null, Body = null, Deleted = true }, Options).ShouldBeNull();
}
