using System.Net;

namespace GitMesh.Messaging.Sqs;

/// <summary>An error answer of SQS: <see cref="ErrorCode"/> is the short name of its <c>__type</c> (e.g. QueueDoesNotExist).</summary>
public sealed class SqsException(string action, string errorCode, string message, HttpStatusCode? statusCode, Exception? inner = null)
    : Exception($"SQS {action} failed: {errorCode}: {message}", inner)
{
    public string Action { get; } = action;

    public string ErrorCode { get; } = errorCode;

    public HttpStatusCode? StatusCode { get; } = statusCode;

    public bool IsQueueMissing => ErrorCode is "QueueDoesNotExist" or "AWS.SimpleQueueService.NonExistentQueue" or "NonExistentQueue";

    /// <summary>The receipt handle no longer identifies an in-flight receive (deleted, expired, or received again).</summary>
    public bool IsStaleReceipt => IsStaleReceiptCode(ErrorCode);

    /// <summary>Worth retrying after a pause: throttling and server-side failures.</summary>
    public bool IsTransient => StatusCode is HttpStatusCode.TooManyRequests or >= HttpStatusCode.InternalServerError
        || ErrorCode is "ThrottlingException" or "Throttling" or "RequestThrottled" or "TooManyRequestsException" or "KmsThrottled"
            or "ServiceUnavailable" or "InternalError" or "InternalFailure" or "RequestThrottledException";

    public static bool IsStaleReceiptCode(string code) => code is "ReceiptHandleIsInvalid" or "MessageNotInflight" or "InvalidReceiptHandle"
        or "AWS.SimpleQueueService.MessageNotInflight";
}
