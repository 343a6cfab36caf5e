namespace GitMesh.Messaging.Sqs;

/// <summary>Bound from "Queue:Sqs". Used when Queue:Provider is "Sqs".</summary>
public sealed class SqsOptions
{
    public const string SectionName = "Queue:Sqs";

    /// <summary>Endpoint of an SQS-compatible server; empty means AWS: https://sqs.{Region}.amazonaws.com.</summary>
    public string? ServiceUrl { get; set; }

    public string Region { get; set; } = "us-east-1";

    /// <summary>Static credentials (both or neither). Without them the AWS default credential chain is used.</summary>
    public string? AccessKey { get; set; }

    public string? SecretKey { get; set; }

    public string? SessionToken { get; set; }

    /// <summary>Prepended to every queue name, so several installations can share one account.</summary>
    public string QueuePrefix { get; set; } = "";

    /// <summary>Create a missing queue (and its "-dlq") on first use. Off when queues are provisioned elsewhere.</summary>
    public bool CreateQueues { get; set; } = true;

    /// <summary>Retries of throttled or failed (5xx, network) calls, with exponential backoff.</summary>
    public int MaxRetries { get; set; } = 4;

    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public Uri ResolveServiceUrl() =>
        string.IsNullOrWhiteSpace(ServiceUrl) ? new Uri($"https://sqs.{Region}.amazonaws.com/") : new Uri(ServiceUrl, UriKind.Absolute);
}
