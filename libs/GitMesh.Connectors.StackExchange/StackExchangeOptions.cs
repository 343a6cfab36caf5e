namespace GitMesh.Connectors.StackExchange;

/// <summary>Process-wide Stack Exchange settings (section <c>Connectors:StackExchange</c>).</summary>
public sealed class StackExchangeOptions
{
    public const string SectionName = "Connectors:StackExchange";

    /// <summary>Versioned API root. Overridable for proxies and test servers.</summary>
    public Uri ApiBaseUrl { get; set; } = new("https://api.stackexchange.com/2.3/");

    /// <summary>100 is the API's maximum page size.</summary>
    public int PageSize { get; set; } = 100;

    /// <summary>Built-in filter: the default fields plus question and answer bodies.</summary>
    public string Filter { get; set; } = "withbody";

    /// <summary>
    /// Registered app key (stackapps.com). Not a secret; it raises the daily quota from 300 to 10,000 requests per IP.
    /// An integration's own <c>key</c> credential takes precedence.
    /// </summary>
    public string? AppKey { get; set; }

    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
