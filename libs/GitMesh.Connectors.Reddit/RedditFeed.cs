namespace GitMesh.Connectors.Reddit;

public enum RedditFeedKind
{
    /// <summary><c>/r/{sub}/new</c>: posts, newest first.</summary>
    NewPosts,
    /// <summary><c>/r/{sub}/comments</c>: comments, newest first.</summary>
    Comments,
    /// <summary><c>/search?q=…&amp;sort=new</c>: posts matching a query, newest first.</summary>
    Search,
}

/// <summary>One newest-first listing GitMesh follows; <see cref="Key"/> names its state in the cursor.</summary>
public sealed record RedditFeed(RedditFeedKind Kind, string Value)
{
    public string Key => Kind switch
    {
        RedditFeedKind.NewPosts => "new:" + Value.ToLowerInvariant(),
        RedditFeedKind.Comments => "comments:" + Value.ToLowerInvariant(),
        _ => "search:" + Value,
    };
}
