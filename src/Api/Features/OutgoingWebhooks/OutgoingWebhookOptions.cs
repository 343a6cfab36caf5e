namespace GitMesh.Api.Features.OutgoingWebhooks;

/// <summary>Section <c>OutgoingWebhooks</c>.</summary>
public sealed class OutgoingWebhookOptions
{
    public const string SectionName = "OutgoingWebhooks";

    /// <summary>Allows targets on loopback, private and link-local addresses. Off by default: such URLs would let a workspace admin probe the internal network.</summary>
    public bool AllowPrivateTargets { get; set; }

    /// <summary>Attempts per delivery, the first included, before it is marked failed.</summary>
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Wait after the first failed attempt; doubled after each further one.</summary>
    public double InitialBackoffSeconds { get; set; } = 30;

    public double MaxBackoffSeconds { get; set; } = 3600;

    public double TimeoutSeconds { get; set; } = 10;

    public int PollIntervalMilliseconds { get; set; } = 500;

    /// <summary>Runs the dispatcher in this process.</summary>
    public bool DispatcherEnabled { get; set; } = true;
}
