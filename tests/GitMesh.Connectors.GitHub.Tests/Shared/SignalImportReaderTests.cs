using System.Diagnostics;
using System.Globalization;
using System.Text;
using GitMesh.Connectors.Import;

namespace GitMesh.Connectors.GitHub.Tests.Shared;

// Tests for libs/GitMesh.Connectors/Import live here until the shared connectors library gets its own test project.
public sealed class SignalImportReaderTests
{
    private static async Task<List<SignalImportItem>> ReadAllAsync(SignalImportReader reader)
    {
        var items = new List<SignalImportItem>();
        await foreach (var item in reader.ReadAllAsync(CancellationToken.None))
        {
            items.Add(item);
        }

        return items;
    }

    private static MemoryStream Utf8(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task Csv_with_50000_rows_and_a_few_malformed_lines_imports_the_good_rows_and_reports_the_bad_by_line()
    {
        var badLines = new HashSet<long> { 101, 20_002, 49_999 };
        var builder = new StringBuilder("source,kind,externalId,url,title,body,author,createdAt,parentExternalId\n");
        for (var line = 2; line <= 50_001; line++)
        {
            builder.Append(line switch
            {
                101 => "import,post,id-101,https://x.test/101,\"unterminated \"quote\" here,body,ann,2024-01-01T00:00:00Z,\n",
                20_002 => "import,post,id-20002,only,four fields\n",
                49_999 => "import,post,id-49999,https://x.test/1,title,body,ann,not-a-date,\n",
                _ => string.Create(CultureInfo.InvariantCulture,
                    $"import,post,id-{line},https://x.test/{line},\"Title {line}, with comma\",\"Body {line} said \"\"hi\"\"\",user{line % 97},2024-01-01T00:00:00Z,\n"),
            });
        }

        using var stream = Utf8(builder.ToString());
        var reader = new SignalImportReader(stream, SignalImportFormat.Csv);
        var stopwatch = Stopwatch.StartNew();

        var items = await ReadAllAsync(reader);

        stopwatch.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(10));
        items.Count(i => i.IsValid).ShouldBe(50_000 - badLines.Count);
        items.Where(i => !i.IsValid).Select(i => i.LineNumber).ShouldBe(badLines.Order());
        items.Single(i => i.LineNumber == 20_002).Error!.ShouldContain("expected 9 fields but found 5");
        items.Single(i => i.LineNumber == 49_999).Error!.ShouldContain("createdAt");
        var sample = items.Single(i => i.LineNumber == 5000).Signal!;
        sample.ExternalId.ShouldBe("id-5000");
        sample.Title.ShouldBe("Title 5000, with comma");
        sample.Body.ShouldBe("Body 5000 said \"hi\"");
        sample.Author!.Username.ShouldBe("user53");
        reader.BytesRead.ShouldBe(reader.TotalBytes!.Value);
    }

    [Fact]
    public async Task Jsonl_with_50000_lines_and_a_few_malformed_lines_keeps_going()
    {
        var builder = new StringBuilder();
        for (var line = 1; line <= 50_000; line++)
        {
            builder.Append(line switch
            {
                7 => "{\"kind\":\"post\",\"title\":\n",
                8 => "\n",
                30_000 => "[1,2]\n",
                _ => string.Create(CultureInfo.InvariantCulture, $"{{\"source\":\"import\",\"kind\":\"post\",\"externalId\":\"j-{line}\",\"title\":\"T{line}\",\"author\":{{\"username\":\"u\"}},\"extra\":true}}\n"),
            });
        }

        using var stream = Utf8(builder.ToString());
        var reader = new SignalImportReader(stream, SignalImportFormat.JsonLines);

        var items = await ReadAllAsync(reader);

        items.Count(i => i.IsValid).ShouldBe(49_997);
        items.Where(i => !i.IsValid).Select(i => i.LineNumber).ShouldBe([7, 30_000]);
        items.Single(i => i.LineNumber == 7).Error!.ShouldContain("malformed JSON");
        items.Single(i => i.LineNumber == 9).Signal!.ExternalId.ShouldBe("j-9");
        reader.BytesRead.ShouldBe(stream.Length);
    }

    [Fact]
    public async Task Csv_multiline_quoted_field_keeps_line_numbers_right()
    {
        var csv = "title,body\r\n\"First\",\"line one\r\nline two\"\r\n\r\nSecond,plain\r\nThird,\"bad\"x\r\nFourth,ok";

        var items = await ReadAllAsync(new SignalImportReader(Utf8(csv), SignalImportFormat.Csv));

        items.Select(i => i.LineNumber).ShouldBe([2, 5, 6, 7]);
        items[0].Signal!.Body.ShouldBe("line one\r\nline two");
        items[1].Signal!.Title.ShouldBe("Second");
        items[2].IsValid.ShouldBeFalse();
        items[2].Error!.ShouldContain("quot");
        items[3].Signal!.Body.ShouldBe("ok");
    }

    [Fact]
    public async Task Missing_external_id_is_derived_stably_from_the_content()
    {
        var csv = "Title,Body,Created_At,meta.plan\nSlow export,It takes minutes,2024-02-01T00:00:00Z,pro\nSlow export,It takes minutes,2024-02-01T00:00:00Z,free\nSlow export,Different,2024-02-01T00:00:00Z,\n";

        var items = await ReadAllAsync(new SignalImportReader(Utf8(csv), SignalImportFormat.Csv));

        items.ShouldAllBe(i => i.IsValid);
        items[0].Signal!.ExternalId.ShouldStartWith("sha256:");
        items[0].Signal!.ExternalId.ShouldBe(items[1].Signal!.ExternalId);
        items[2].Signal!.ExternalId.ShouldNotBe(items[0].Signal!.ExternalId);
        items[0].Signal!.Source.ShouldBe("import");
        items[0].Signal!.Kind.ShouldBe("post");
        items[0].Signal!.Metadata!["plan"].ShouldBe("pro");
        items[2].Signal!.Metadata.ShouldBeNull();
    }

    [Fact]
    public async Task Csv_without_a_text_column_stops_with_one_header_error()
    {
        var items = await ReadAllAsync(new SignalImportReader(Utf8("source,kind\nimport,post\n"), SignalImportFormat.Csv));

        items.Single().LineNumber.ShouldBe(1);
        items.Single().Error!.ShouldContain("header");
    }

    [Theory]
    [InlineData("feedback.csv", SignalImportFormat.Csv)]
    [InlineData("FEEDBACK.JSONL", SignalImportFormat.JsonLines)]
    [InlineData("x.ndjson", SignalImportFormat.JsonLines)]
    [InlineData("x.xlsx", null)]
    public void Format_is_picked_from_the_file_name(string fileName, SignalImportFormat? expected) =>
        SignalImportReader.FormatFromFileName(fileName).ShouldBe(expected);
}
