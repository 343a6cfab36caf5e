using Microsoft.Extensions.Options;

namespace GitMesh.Intelligence.Llm;

/// <summary>
/// Optional LLM enrichment (Intelligence:Llm). Off by default: the offline model classifies every signal either way,
/// and with this on a background worker re-labels them and adds a summary through an OpenAI-compatible endpoint.
/// </summary>
public sealed class LlmOptions
{
    public const string SectionName = "Intelligence:Llm";

    public bool Enabled { get; set; }

    /// <summary>Base URL of an OpenAI-compatible API (…/v1): OpenAI, Azure-style gateways, vLLM, llama.cpp, Ollama.</summary>
    public string Endpoint { get; set; } = "https://api.openai.com/v1";

    public string? Model { get; set; }

    /// <summary>Secret: read from configuration (environment / secret store), never logged nor stored in the database.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Token-bucket rate: at most this many requests per minute (bursts up to the same number).</summary>
    public int RequestsPerMinute { get; set; } = 60;

    /// <summary>Prompt + completion tokens per UTC day across the deployment; 0 = no token limit.</summary>
    public long MaxTokensPerDay { get; set; }

    /// <summary>Spend per UTC day in your currency, priced with the two prices below; 0 = no cost limit.</summary>
    public decimal DailyCostBudget { get; set; }

    public decimal InputPricePer1kTokens { get; set; }

    public decimal OutputPricePer1kTokens { get; set; }

    /// <summary>Per request; a timeout counts as an endpoint failure (backoff, circuit breaker).</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Signal text sent is cut to this many characters (cost and context window).</summary>
    public int MaxInputChars { get; set; } = 4000;

    public int MaxOutputTokens { get; set; } = 200;

    /// <summary>Requests in flight at once (per process).</summary>
    public int Concurrency { get; set; } = 2;

    /// <summary>Invalid answers or refused requests for one text before the signal is left with its offline labels.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How long the worker sleeps when nothing is pending or calls are paused.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Consecutive endpoint failures that open the circuit breaker.</summary>
    public int BreakerFailureThreshold { get; set; } = 5;

    /// <summary>First open period of the breaker; doubles on each failed probe, up to 10 minutes.</summary>
    public TimeSpan BreakerOpenDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Workspaces whose signals may be sent to the endpoint; empty = all workspaces.</summary>
    public List<Guid> Workspaces { get; set; } = [];

    /// <summary>Ask for response_format json_object; turn off for servers that reject it (the answer is validated anyway).</summary>
    public bool JsonResponseFormat { get; set; } = true;

    public Uri EndpointUri => new(Endpoint.TrimEnd('/') + "/", UriKind.Absolute);

    public bool AppliesTo(Guid workspaceId) => Workspaces.Count == 0 || Workspaces.Contains(workspaceId);
}

/// <summary>Start-up validation: an enabled LLM mode with a bad setting fails the host with a clear message.</summary>
internal sealed class LlmOptionsValidator : IValidateOptions<LlmOptions>
{
    public ValidateOptionsResult Validate(string? name, LlmOptions o)
    {
        if (!o.Enabled)
        {
            return ValidateOptionsResult.Success;
        }

        var errors = new List<string>();
        if (!Uri.TryCreate(o.Endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            errors.Add($"{LlmOptions.SectionName}:Endpoint must be an absolute http(s) URL such as https://api.openai.com/v1.");
        }
        else if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            errors.Add($"{LlmOptions.SectionName}:Endpoint must not carry credentials; put the key in {LlmOptions.SectionName}:ApiKey.");
        }

        if (string.IsNullOrWhiteSpace(o.Model))
        {
            errors.Add($"{LlmOptions.SectionName}:Model is required when the LLM mode is enabled (e.g. gpt-4o-mini).");
        }

        Check(o.RequestsPerMinute is >= 1 and <= 100_000, "RequestsPerMinute must be from 1 to 100000.");
        Check(o.MaxTokensPerDay >= 0, "MaxTokensPerDay must be 0 (no limit) or more.");
        Check(o.DailyCostBudget >= 0 && o.InputPricePer1kTokens >= 0 && o.OutputPricePer1kTokens >= 0, "DailyCostBudget and the prices must not be negative.");
        Check(o.DailyCostBudget == 0 || o.InputPricePer1kTokens > 0 || o.OutputPricePer1kTokens > 0, "DailyCostBudget needs InputPricePer1kTokens and/or OutputPricePer1kTokens.");
        Check(o.Timeout > TimeSpan.Zero && o.Timeout <= TimeSpan.FromMinutes(10), "Timeout must be more than 0 and at most 10 minutes.");
        Check(o.MaxInputChars is >= 200 and <= 200_000, "MaxInputChars must be from 200 to 200000.");
        Check(o.MaxOutputTokens is >= 50 and <= 4_000, "MaxOutputTokens must be from 50 to 4000.");
        Check(o.Concurrency is >= 1 and <= 32, "Concurrency must be from 1 to 32.");
        Check(o.MaxAttempts is >= 1 and <= 20, "MaxAttempts must be from 1 to 20.");
        Check(o.PollInterval > TimeSpan.Zero, "PollInterval must be more than 0.");
        Check(o.BreakerFailureThreshold >= 1, "BreakerFailureThreshold must be 1 or more.");
        Check(o.BreakerOpenDuration > TimeSpan.Zero, "BreakerOpenDuration must be more than 0.");
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);

        void Check(bool ok, string message)
        {
            if (!ok)
            {
                errors.Add($"{LlmOptions.SectionName}:{message}");
            }
        }
    }
}
