using GitMesh.Intelligence.Text;

namespace GitMesh.Intelligence.Tests.Text;

public class TokenizerTests
{
    [Fact]
    public void Lower_cases_and_splits_identifiers_into_parts()
    {
        var tokens = Tokenizer.Tokenize("getUserName fails in snake_case_id");
        tokens.ShouldContain("getusername");
        tokens.ShouldContain("user");
        tokens.ShouldContain("name");
        tokens.ShouldContain("snake_case_id");
        tokens.ShouldContain("snake");
        tokens.ShouldContain("fails");
    }

    [Fact]
    public void Joins_apostrophes_and_collapses_long_numbers()
    {
        var tokens = Tokenizer.Tokenize("It doesn't work on port 8080 or v2");
        tokens.ShouldContain("doesnt");
        tokens.ShouldContain(Tokenizer.NumberToken);
        tokens.ShouldContain("v2");
    }

    [Fact]
    public void Unspaced_scripts_become_one_token_per_character()
    {
        var tokens = Tokenizer.Tokenize(TestTexts.Japanese);
        tokens.Count.ShouldBeGreaterThan(10);
        tokens.ShouldContain("ア");
    }

    [Fact]
    public void Accented_latin_text_stays_whole()
    {
        Tokenizer.Tokenize(TestTexts.German).ShouldContain("stürzt");
    }

    [Fact]
    public void Empty_and_null_give_no_tokens()
    {
        Tokenizer.Tokenize((string?)null).ShouldBeEmpty();
        Tokenizer.Tokenize("  \n\t ").ShouldBeEmpty();
    }

    [Fact]
    public void Overlong_tokens_are_dropped_and_emoji_kept()
    {
        var tokens = Tokenizer.Tokenize(new string('a', 100) + " great 👍");
        tokens.ShouldBe(["great", "👍"]);
    }
}

public class StructuralCuesTests
{
    [Fact]
    public void Detects_bug_report_structure()
    {
        var cues = StructuralCues.Detect(
            "Crash on save",
            "Steps to reproduce:\n1. open\n\nExpected behavior: saved\nActual behavior: crash\n\n```\nTraceback (most recent call last):\n  File \"a.py\", line 3\n```\nVersion 1.2.3");
        cues.StepsToReproduce.ShouldBeTrue();
        cues.ExpectedActual.ShouldBeTrue();
        cues.StackTrace.ShouldBeTrue();
        cues.CodeBlock.ShouldBeTrue();
        cues.VersionString.ShouldBeTrue();
        cues.ErrorWords.ShouldBeTrue();
    }

    [Fact]
    public void Detects_feature_and_question_forms()
    {
        StructuralCues.Detect("Please add support for dark mode", "It would be nice to have").FeatureRequestPhrase.ShouldBeTrue();
        var q = StructuralCues.Detect("How do I configure the proxy?", null);
        q.TitleIsQuestion.ShouldBeTrue();
        q.QuestionMarks.ShouldBe(1);
        q.QuestionPhrase.ShouldBeTrue();
    }

    [Fact]
    public void Huge_body_is_scanned_in_bounded_time()
    {
        var sw = System.Diagnostics.Stopwatch.StartNew();
        StructuralCues.Detect("t", TestTexts.HugeBody);
        sw.ElapsedMilliseconds.ShouldBeLessThan(2_000);
    }
}

public class FeatureExtractorTests
{
    [Fact]
    public void Text_part_is_unit_length_and_deterministic()
    {
        var ex = new FeatureExtractor(new FeatureOptions { Structural = false, CueWeight = 0 });
        var idf = Enumerable.Repeat(1f, ex.Options.Dimension).ToArray();
        var a = ex.Transform(new SignalText("Title here", "some body text"), idf);
        var b = ex.Transform(new SignalText("Title here", "some body text"), idf);
        a.Indices.ShouldBe(b.Indices);
        a.Values.ShouldBe(b.Values);
        a.Norm().ShouldBe(1f, 0.01f);
    }

    [Fact]
    public void Title_and_body_words_get_different_features()
    {
        var ex = new FeatureExtractor(new FeatureOptions());
        var title = ex.CountTerms(new SignalText("crash", null)).Keys.ToHashSet();
        var body = ex.CountTerms(new SignalText(null, "crash")).Keys.ToHashSet();
        title.SetEquals(body).ShouldBeFalse();
        title.Overlaps(body).ShouldBeTrue(); // the shared unprefixed unigram
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData(null, TestTexts.CodeOnly)]
    [InlineData("クラッシュ", TestTexts.Japanese)]
    public void Handles_edge_inputs(string? title, string? body)
    {
        var ex = new FeatureExtractor(new FeatureOptions());
        var v = ex.Transform(new SignalText(title, body), new float[ex.Options.Dimension]);
        v.Count.ShouldBeGreaterThan(0); // at least the cue features
    }

    [Fact]
    public void Huge_body_costs_no_more_than_its_capped_prefix()
    {
        var ex = new FeatureExtractor(new FeatureOptions());
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var counts = ex.CountTerms(new SignalText("t", TestTexts.HugeBody));
        sw.ElapsedMilliseconds.ShouldBeLessThan(2_000);
        counts.Count.ShouldBeLessThan(20_000);
    }
}
