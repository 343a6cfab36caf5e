namespace GitMesh.Api.Tests.Signals;

/// <summary>Deterministic, varied feedback texts: distinct enough that they do not cluster together.</summary>
public static class SignalTexts
{
    private static readonly string[] Subjects = ["the editor", "sync", "the mobile app", "search", "login", "the dashboard", "export", "notifications", "the API", "billing", "dark mode", "the CLI", "webhooks", "file upload", "the settings page"];
    private static readonly string[] Problems = ["crashes", "is slow", "freezes", "shows a blank page", "loses my changes", "times out", "returns an error", "looks broken", "ignores my settings", "logs me out"];
    private static readonly string[] Contexts = ["on Android", "on Windows", "after the update", "with large files", "behind a proxy", "in Firefox", "on first start", "when offline", "with two accounts", "on Linux"];
    private static readonly string[] Words = ["alpha", "bravo", "cobalt", "delta", "ember", "falcon", "granite", "harbor", "indigo", "juniper", "kelvin", "lumen", "magnet", "nectar", "onyx", "prism", "quartz", "raven", "saffron", "tundra", "umber", "vertex", "willow", "xenon", "yonder", "zephyr"];

    public static (string Title, string Body) Make(int i)
    {
        var r = new Random(i * 7919 + 13);
        var subject = Subjects[r.Next(Subjects.Length)];
        var title = $"{subject} {Problems[r.Next(Problems.Length)]} {Contexts[r.Next(Contexts.Length)]} #{i}";
        var tail = string.Join(' ', Enumerable.Range(0, 12).Select(_ => Words[r.Next(Words.Length)] + r.Next(1000)));
        return (title, $"When I use {subject} it {Problems[r.Next(Problems.Length)]}. Ticket ref {i}-{r.Next()} zebra. {tail}");
    }
}
