using System.Text.Json.Serialization;

namespace GitMesh.Messaging.Sqs;

// DTOs of the SQS JSON protocol (awsJson1_0): member names exactly as in the service model.

public sealed record SqsMessageAttributeValue(string DataType, string? StringValue);

public sealed record SqsSendEntry(string Id, string MessageBody, IReadOnlyDictionary<string, SqsMessageAttributeValue>? MessageAttributes = null);

public sealed record SqsSendResult(string Id, string MessageId);

public sealed record SqsBatchFailure(string Id, string Code, string? Message, bool SenderFault);

public sealed record SqsSendBatchResult(IReadOnlyList<SqsSendResult> Successful, IReadOnlyList<SqsBatchFailure> Failed);

public sealed record SqsDeleteEntry(string Id, string ReceiptHandle);

public sealed record SqsVisibilityEntry(string Id, string ReceiptHandle, int VisibilityTimeout);

public sealed record SqsBatchResult(IReadOnlyList<string> Successful, IReadOnlyList<SqsBatchFailure> Failed);

public sealed record SqsMessage(
    string MessageId,
    string ReceiptHandle,
    string Body,
    IReadOnlyDictionary<string, string>? Attributes,
    IReadOnlyDictionary<string, SqsMessageAttributeValue>? MessageAttributes)
{
    public int ApproximateReceiveCount =>
        Attributes?.TryGetValue("ApproximateReceiveCount", out var v) == true && int.TryParse(v, out var n) ? n : 1;

    public DateTime? SentTimestamp =>
        Attributes?.TryGetValue("SentTimestamp", out var v) == true && long.TryParse(v, out var ms)
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms).UtcDateTime
            : null;

    public string? StringAttribute(string name) => MessageAttributes?.TryGetValue(name, out var v) == true ? v.StringValue : null;
}

/// <param name="WaitTimeSeconds">0-20: long polling.</param>
public sealed record SqsReceiveRequest(int MaxNumberOfMessages, int WaitTimeSeconds, int? VisibilityTimeout);

internal sealed record CreateQueueRequest(string QueueName, IReadOnlyDictionary<string, string>? Attributes);

internal sealed record GetQueueUrlRequest(string QueueName);

internal sealed record QueueUrlResponse(string QueueUrl);

internal sealed record SendMessageBatchRequest(string QueueUrl, IReadOnlyList<SqsSendEntry> Entries);

internal sealed record BatchResultErrorEntry(string Id, string Code, string? Message, bool SenderFault);

internal sealed record SendMessageBatchResultEntry(string Id, string MessageId);

internal sealed record SendMessageBatchResponse(
    IReadOnlyList<SendMessageBatchResultEntry>? Successful, IReadOnlyList<BatchResultErrorEntry>? Failed);

internal sealed record ReceiveMessageRequest(
    string QueueUrl,
    int MaxNumberOfMessages,
    int WaitTimeSeconds,
    int? VisibilityTimeout,
    IReadOnlyList<string> MessageSystemAttributeNames,
    IReadOnlyList<string> MessageAttributeNames);

internal sealed record ReceiveMessageResponse(IReadOnlyList<SqsMessage>? Messages);

internal sealed record DeleteMessageBatchRequest(string QueueUrl, IReadOnlyList<SqsDeleteEntry> Entries);

internal sealed record ChangeMessageVisibilityRequest(string QueueUrl, string ReceiptHandle, int VisibilityTimeout);

internal sealed record ChangeMessageVisibilityBatchRequest(string QueueUrl, IReadOnlyList<SqsVisibilityEntry> Entries);

internal sealed record BatchIdEntry(string Id);

internal sealed record BatchResponse(IReadOnlyList<BatchIdEntry>? Successful, IReadOnlyList<BatchResultErrorEntry>? Failed);

internal sealed record GetQueueAttributesRequest(string QueueUrl, IReadOnlyList<string> AttributeNames);

internal sealed record GetQueueAttributesResponse(IReadOnlyDictionary<string, string>? Attributes);

internal sealed record EmptyResponse;

internal sealed record SqsErrorResponse(
    [property: JsonPropertyName("__type")] string? Type,
    [property: JsonPropertyName("message")] string? Message,
    [property: JsonPropertyName("Message")] string? MessageUpper);
