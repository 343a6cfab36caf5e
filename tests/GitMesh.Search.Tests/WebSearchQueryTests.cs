namespace GitMesh.Search.Tests;

public sealed class WebSearchQueryTests
{
    [Theory]
    [InlineData("crash", "((\"crash\"))", "\"crash\"")]
    [InlineData("Crash  STARTUP", "((\"crash\" AND \"startup\"))", "\"crash\" \"startup\"")]
    [InlineData("\"crash on startup\"", "((\"crash on startup\"))", "\"crash on startup\"")]
    [InlineData("crash -windows -\"blue screen\"", "((\"crash\") NOT \"windows\" NOT \"blue screen\")", "\"crash\" -\"windows\" -\"blue screen\"")]
    [InlineData("dark or login", "((\"dark\")) OR ((\"login\"))", "\"dark\" or \"login\"")]
    [InlineData("a1 b2 OR c3 -d4", "((\"a1\" AND \"b2\")) OR ((\"c3\") NOT \"d4\")", "\"a1\" \"b2\" or \"c3\" -\"d4\"")]
    [InlineData("wi-fi v2.3", "((\"wi fi\" AND \"v2 3\"))", "\"wi fi\" \"v2 3\"")]
    [InlineData("title:crash NEAR(x", "((\"title\" AND \"crash\" AND \"near\" AND \"x\"))", "\"title\" \"crash\" \"near\" \"x\"")]
    [InlineData("the crash of the app", "((\"crash\" AND \"app\"))", "\"crash\" \"app\"")]
    [InlineData("\"unterminated phrase", "((\"unterminated phrase\"))", "\"unterminated phrase\"")]
    [InlineData("or crash or or", "((\"crash\"))", "\"crash\"")]
    [InlineData("-windows or crash", "((\"crash\"))", "\"crash\"")]
    [InlineData("Ünïcödé", "((\"ünïcödé\"))", "\"ünïcödé\"")]
    public void Renders_the_same_structure_for_both_providers(string input, string fts5, string websearch)
    {
        var query = WebSearchQuery.Parse(input);
        query.ToFts5().ShouldBe(fts5);
        query.ToWebSearch().ShouldBe(websearch);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("-windows")]
    [InlineData("\"\"")]
    [InlineData("()*:^")]
    [InlineData("the and or")]
    [InlineData("OR")]
    public void Nothing_searchable_is_an_empty_query(string? input)
    {
        var query = WebSearchQuery.Parse(input);
        query.IsEmpty.ShouldBeTrue();
        query.ToFts5().ShouldBeEmpty();
        query.ToWebSearch().ShouldBeEmpty();
    }

    [Fact]
    public void Hostile_input_renders_only_quoted_letters_and_digits()
    {
        foreach (var input in HostileQueries.All)
        {
            var fts5 = WebSearchQuery.Parse(input).ToFts5();
            // Outside quoted strings only our own operators and parentheses may appear.
            var outside = string.Concat(fts5.Split('"').Where((_, i) => i % 2 == 0));
            outside.Replace("AND", "", StringComparison.Ordinal).Replace("NOT", "", StringComparison.Ordinal)
                .Replace("OR", "", StringComparison.Ordinal).ShouldAllBe(c => c == '(' || c == ')' || c == ' ');
            var inside = string.Concat(fts5.Split('"').Where((_, i) => i % 2 == 1));
            inside.EnumerateRunes().ShouldAllBe(r => System.Text.Rune.IsLetterOrDigit(r) || r.Value == ' ' || System.Text.Rune.GetUnicodeCategory(r) == System.Globalization.UnicodeCategory.NonSpacingMark || System.Text.Rune.GetUnicodeCategory(r) == System.Globalization.UnicodeCategory.SpacingCombiningMark || System.Text.Rune.GetUnicodeCategory(r) == System.Globalization.UnicodeCategory.EnclosingMark);
        }
    }

    [Fact]
    public void Huge_input_is_bounded()
    {
        var query = WebSearchQuery.Parse(string.Join(' ', Enumerable.Range(0, 5_000).Select(i => $"word{i}")));
        query.Groups.Sum(g => g.Include.Sum(p => p.Tokens.Count)).ShouldBe(WebSearchQuery.MaxTokens);

        WebSearchQuery.Parse(new string('x', 10_000)).IsEmpty.ShouldBeTrue();
    }
}
