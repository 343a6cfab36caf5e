using GitMesh.Ingest.Normalization;

namespace GitMesh.Ingest.Tests;

public sealed class TextNormalizerTests
{
    [Fact]
    public void Markdown_code_blocks_and_stack_traces_are_kept_apart_from_prose()
    {
        var body = """
            The app **crashes** when I open settings.

            ```csharp
            var x = Settings.Load();
            ```

            Exception in thread "main" java.lang.NullPointerException
                at com.acme.Settings.load(Settings.java:42)
                at com.acme.App.main(App.java:7)

            > On Monday you said it was fixed

            Please help.
            """;
        var n = TextNormalizer.Normalize("Crash  on\tsettings", body);

        n.Title.ShouldBe("Crash on settings");
        n.Text.ShouldContain("The app crashes when I open settings.");
        n.Text.ShouldContain("Please help.");
        n.Text.ShouldNotContain("Settings.Load");
        n.Text.ShouldNotContain("at com.acme");
        n.Text.ShouldNotContain("NullPointerException");
        n.Text.ShouldNotContain("you said it was fixed");
        n.Code.ShouldContain("var x = Settings.Load();");
        n.Code.ShouldContain("at com.acme.Settings.load(Settings.java:42)");
    }

    [Fact]
    public void Html_bodies_become_text_with_pre_blocks_as_code()
    {
        var n = TextNormalizer.Normalize("How do I &amp; why?", "<p>I tried <code>foo()</code> and it failed.</p><pre><code>foo();\nbar();</code></pre><blockquote>old answer</blockquote><p>Any idea?</p>");

        n.Title.ShouldBe("How do I & why?");
        n.Text.ShouldContain("I tried foo() and it failed.");
        n.Text.ShouldContain("Any idea?");
        n.Text.ShouldNotContain("old answer");
        n.Code.ShouldContain("bar();");
    }

    [Fact]
    public void Whitespace_and_case_differences_give_the_same_content_hash_but_real_edits_do_not()
    {
        var a = TextNormalizer.Normalize("Dark mode", "Please add   dark mode.\n\n");
        var b = TextNormalizer.Normalize("dark MODE ", "Please add dark mode.");
        var c = TextNormalizer.Normalize("Dark mode", "Please add dark mode to the editor.");

        a.ContentHash.ShouldBe(b.ContentHash);
        a.ContentHash.ShouldNotBe(c.ContentHash);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData("", "")]
    [InlineData("Только заголовок", "Приложение падает при запуске 😞")]
    [InlineData("code only", "```\nint main() { return 1; }\n```")]
    public void Odd_inputs_normalize_without_throwing(string? title, string? body)
    {
        var n = TextNormalizer.Normalize(title, body);
        n.ContentHash.Length.ShouldBe(64);
        if (body?.Contains("Приложение", StringComparison.Ordinal) == true)
        {
            n.Text.ShouldContain("Приложение падает");
        }
    }

    [Fact]
    public void Huge_bodies_are_cut_not_choked_on()
    {
        var body = string.Concat(Enumerable.Repeat("word ", 200_000));
        var n = TextNormalizer.Normalize("t", body);
        n.Text.Length.ShouldBeLessThanOrEqualTo(TextNormalizer.MaxBodyChars);
    }
}
