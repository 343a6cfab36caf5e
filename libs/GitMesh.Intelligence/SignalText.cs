namespace GitMesh.Intelligence;

/// <summary>The text of one signal as the models see it. Any part may be null or empty.</summary>
/// <param name="Title">Issue title, post title, or null for chat messages.</param>
/// <param name="Body">Free text (Markdown, Jira markup and plain text are all fine).</param>
/// <param name="Code">Code or log excerpt kept separate by the connector, if any.</param>
public sealed record SignalText(string? Title, string? Body, string? Code = null)
{
    /// <summary>Title and body (and code, fenced) as one string; the shape most features are computed on.</summary>
    public string Combined => string.IsNullOrEmpty(Code)
        ? $"{Title}\n{Body}"
        : $"{Title}\n{Body}\n```\n{Code}\n```";

    /// <summary>Body with the code part appended as a fenced block, so cue detection sees it.</summary>
    public string BodyWithCode => string.IsNullOrEmpty(Code) ? Body ?? string.Empty : $"{Body}\n```\n{Code}\n```";

    public bool IsEmpty => string.IsNullOrWhiteSpace(Title) && string.IsNullOrWhiteSpace(Body) && string.IsNullOrWhiteSpace(Code);
}
