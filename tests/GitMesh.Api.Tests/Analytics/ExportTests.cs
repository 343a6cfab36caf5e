using System.Net;
using System.Text;
using System.Text.Json;
using GitMesh.Api.Tests.Triage;
using GitMesh.Data;
using GitMesh.TestCommon;
using static GitMesh.Api.Tests.Triage.TriageHttp;

namespace GitMesh.Api.Tests.Analytics;

public sealed class ExportTests(ApiFixture fixture) : IClassFixture<ApiFixture>
{
    [Theory, Providers]
    public async Task Export_streams_filtered_signals_as_escaped_csv_and_jsonl(DatabaseProvider provider)
    {
        var factory = await fixture.GetAsync(provider);
        var tenant = await factory.CreateTenantAsync();
        var seed = new TriageSeed(factory, tenant.WorkspaceId);
        var tricky = "He said \"hi\", then\nleft";
        await seed.AddAsync(
        [
            TriageSeed.Make(tenant.WorkspaceId, 1, s => { s.Title = tricky; s.Tags = "p1,safari"; }),
            TriageSeed.Make(tenant.WorkspaceId, 2, s => s.Title = "=HYPERLINK(\"http://evil\")"),
            TriageSeed.Make(tenant.WorkspaceId, 3, s => s.Source = "reddit"),
        ]);
        using var client = factory.CreateClient(tenant.Token);

        using var csvResponse = await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals/export?format=csv&source=github", HttpCompletionOption.ResponseHeadersRead);
        csvResponse.StatusCode.ShouldBe(HttpStatusCode.OK);
        csvResponse.Content.Headers.ContentType!.MediaType.ShouldBe("text/csv");
        csvResponse.Content.Headers.ContentDisposition!.DispositionType.ShouldBe("attachment");
        csvResponse.Content.Headers.ContentDisposition.FileName!.Trim('"').ShouldMatch(@"^signals-\d{8}T\d{6}Z\.csv$");
        var records = ParseCsv(await csvResponse.Content.ReadAsStringAsync());
        records[0].ShouldContain("title");
        var titleColumn = records[0].IndexOf("title");
        var tagsColumn = records[0].IndexOf("tags");
        records.Count.ShouldBe(3);
        records.Skip(1).ShouldAllBe(r => r.Count == records[0].Count);
        // Newest first: signal 2, then 1.
        records[1][titleColumn].ShouldBe("'=HYPERLINK(\"http://evil\")");
        records[2][titleColumn].ShouldBe(tricky);
        records[2][tagsColumn].ShouldBe("p1,safari");

        var jsonl = await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals/export?format=jsonl");
        jsonl.StatusCode.ShouldBe(HttpStatusCode.OK);
        jsonl.Content.Headers.ContentDisposition!.FileName!.ShouldEndWith(".jsonl");
        var lines = (await jsonl.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        lines.Length.ShouldBe(3);
        var first = JsonDocument.Parse(lines.Single(l => l.Contains("safari", StringComparison.Ordinal))).RootElement;
        first.GetProperty("title").GetString().ShouldBe(tricky);
        first.GetProperty("tags").EnumerateArray().Select(e => e.GetString()).ShouldBe(["p1", "safari"]);
        first.GetProperty("triageStatus").GetString().ShouldBe("new");

        (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals/export?format=xml")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals/export?colour=blue")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await client.GetAsync($"{Ws(tenant.WorkspaceId)}/signals/export?status=open")).StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        var other = await factory.CreateTenantAsync("Other");
        using var otherClient = factory.CreateClient(other.Token);
        (await otherClient.GetAsync($"{Ws(tenant.WorkspaceId)}/signals/export")).StatusCode.ShouldBe(HttpStatusCode.NotFound);
    }

    /// <summary>RFC 4180 reader: quoted cells may hold commas, doubled quotes and line breaks.</summary>
    private static List<List<string>> ParseCsv(string text)
    {
        var records = new List<List<string>>();
        var record = new List<string>();
        var cell = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < text.Length && text[i + 1] == '"')
                {
                    cell.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    cell.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                record.Add(cell.ToString());
                cell.Clear();
            }
            else if (c == '\r' && i + 1 < text.Length && text[i + 1] == '\n')
            {
                record.Add(cell.ToString());
                cell.Clear();
                records.Add(record);
                record = [];
                i++;
            }
            else
            {
                cell.Append(c);
            }
        }

        if (cell.Length > 0 || record.Count > 0)
        {
            record.Add(cell.ToString());
            records.Add(record);
        }

        return records;
    }
}
