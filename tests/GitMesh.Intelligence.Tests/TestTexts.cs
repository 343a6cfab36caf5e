namespace GitMesh.Intelligence.Tests;

internal static class TestTexts
{
    public static readonly string HugeBody = string.Concat(Enumerable.Repeat("Line of log output with some words and numbers 12345 at com.example.Foo.bar(Foo.java:42)\n", 12_000));

    public const string CodeOnly = "```csharp\npublic static int Main(string[] args) { var x = new Dictionary<string,int>(); return x.Count; }\n```";

    public const string Japanese = "アプリを起動するとクラッシュします。エラーメッセージが表示されます。";

    public const string German = "Die Anwendung stürzt beim Start ab, wenn die Konfigurationsdatei fehlt.";

    public static string DataPath(params string[] parts) => Path.Combine([AppContext.BaseDirectory, "Data", .. parts]);
}
