using GitMesh.Intelligence.ProductAreas;

namespace GitMesh.Intelligence.Tests.Classification;

public class ProductAreaMatcherTests
{
    private static readonly ProductTaxonomy Taxonomy = new(
    [
        new ProductArea("Authentication", ["login", "sso", "two factor", "password"], ["Cannot sign in with Google account", "Session expires too quickly after signing in"]),
        new ProductArea("Billing", ["invoice", "payment", "subscription"], ["Charged twice for my plan", "Refund for the annual plan"]),
        new ProductArea("Editor", ["dark mode", "syntax highlighting"], ["Cursor jumps when typing in the code editor", "Autocomplete popup hides text in the editor"]),
    ]);

    private static readonly ProductAreaMatcher Matcher = new(Taxonomy);

    [Fact]
    public void Keyword_in_title_assigns_the_area()
    {
        var m = Matcher.Match(new SignalText("SSO login fails with Okta", null));
        m[0].Area.ShouldBe("Authentication");
        m[0].MatchedKeywords.ShouldContain("sso");
    }

    [Fact]
    public void Multi_word_keywords_match_as_phrases_only()
    {
        Matcher.Match(new SignalText("Please add dark mode", null)).Select(x => x.Area).ShouldContain("Editor");
        Matcher.Match(new SignalText("The mode is too dark", null)).Select(x => x.Area).ShouldNotContain("Editor");
    }

    [Fact]
    public void Similar_to_examples_without_keywords()
    {
        var m = Matcher.Match(new SignalText("I was charged twice this month", null));
        m.Select(x => x.Area).ShouldContain("Billing");
        m.Single(x => x.Area == "Billing").ExampleSimilarity.ShouldBeGreaterThan(0);
    }

    [Fact]
    public void Assigns_several_areas_when_both_apply()
    {
        var areas = Matcher.Match(new SignalText("Payment page asks for password again", "After login the invoice page logs me out")).Select(x => x.Area).ToList();
        areas.ShouldContain("Authentication");
        areas.ShouldContain("Billing");
    }

    [Fact]
    public void Unrelated_empty_and_huge_texts()
    {
        Matcher.Match(new SignalText("Weather is nice today", null)).ShouldBeEmpty();
        Matcher.Match(new SignalText(null, null)).ShouldBeEmpty();
        Matcher.Match(new SignalText("payment", TestTexts.HugeBody)).Select(x => x.Area).ShouldContain("Billing");
        new ProductAreaMatcher(new ProductTaxonomy([])).Match(new SignalText("login", null)).ShouldBeEmpty();
    }
}
