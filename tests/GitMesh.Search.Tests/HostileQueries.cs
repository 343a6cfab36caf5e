namespace GitMesh.Search.Tests;

/// <summary>Inputs that break naive query builders: FTS5/tsquery syntax, SQL quoting, odd Unicode, sheer size.</summary>
public static class HostileQueries
{
    public static IReadOnlyList<string> All { get; } = Build();

    private static List<string> Build()
    {
        var random = new Random(42);
        var printable = new string([.. Enumerable.Range(0, 10_240).Select(_ => (char)random.Next(32, 127))]);
        var anyChars = new string([.. Enumerable.Range(0, 10_240).Select(_ => (char)random.Next(0, 0xFFFF))]);
        return
        [
            "\"", "\"\"", "\"\"\"", "\"unterminated phrase", "crash\"", "(", ")", "(crash", "crash)", "()", "((((((((((",
            "NEAR(", "NEAR(crash startup)", "NEAR(crash startup, 2)", "crash NEAR startup", "*", "crash*", "*crash", "^crash",
            ":", "title:crash", "body:", "{title body}: crash", "signal_id:*", "- -", "-", "--crash", "-\"", "-(",
            "AND", "OR", "NOT", "crash AND", "OR crash OR", "crash NOT", "NOT crash", "crash OR OR OR startup",
            "'", "''", "'; DROP TABLE signals; --", "' OR '1'='1", "\" OR 1=1 --", "crash'); DELETE FROM signals; --",
            "$1 @p0 ? :ws", "%_%", "\\", "\\\"", "&|!<->", "crash <-> startup", "crash & startup | !windows", "a:*", "!crash",
            "crash:A", "setweight", "🙂 crash 🙂", "Ünïcödé crash", "日本語 クラッシュ", "\u0000crash\u0000", "\ud800crash",
            "crash\udc00", "crash\u0301", "\u0301", "ﬁle", "\t\n\r\v\f", "\u200b\u200d\ufeff", "İstanbul ıi", "ß ẞ",
            new string('a', 10_240), new string('"', 10_240), string.Concat(Enumerable.Repeat("crash OR (", 1_024)),
            string.Concat(Enumerable.Repeat("-\"x y\" ", 1_500)), string.Concat(Enumerable.Repeat("NEAR(", 2_048)),
            printable, anyChars,
        ];
    }
}
