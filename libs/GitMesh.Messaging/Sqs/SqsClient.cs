using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace GitMesh.Messaging.Sqs;

/// <summary>
/// A small typed client for Amazon SQS (and compatible servers) over the JSON protocol: POST / with
/// <c>X-Amz-Target: AmazonSQS.{Action}</c>, SigV4-signed. Throttling, 5xx and network failures are retried with
/// exponential backoff and jitter; every other error becomes an <see cref="SqsException"/> carrying the service's code.
/// Batch calls take any number of entries and send them in chunks of ten, the service's limit.
/// </summary>
public sealed partial class SqsClient(HttpClient http, IOptions<SqsOptions> options, SqsCredentials credentials, TimeProvider time, ILogger<SqsClient> logger)
{
    public const int MaxBatchEntries = 10;

    /// <summary>SQS limits the whole batch request payload to 256 KiB.</summary>
    public const int MaxBatchPayloadBytes = 256 * 1024;

    private static readonly MediaTypeHeaderValue JsonContentType = new("application/x-amz-json-1.0");

    private static readonly JsonSerializerOptions Json = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public async Task<string> CreateQueueAsync(string queueName, IReadOnlyDictionary<string, string>? attributes, CancellationToken cancellationToken)
    {
        var response = await SendAsync<CreateQueueRequest, QueueUrlResponse>("CreateQueue", new CreateQueueRequest(queueName, attributes), cancellationToken);
        return response.QueueUrl;
    }

    /// <summary>The queue's URL, or null when it does not exist.</summary>
    public async Task<string?> GetQueueUrlAsync(string queueName, CancellationToken cancellationToken)
    {
        try
        {
            var response = await SendAsync<GetQueueUrlRequest, QueueUrlResponse>("GetQueueUrl", new GetQueueUrlRequest(queueName), cancellationToken);
            return response.QueueUrl;
        }
        catch (SqsException e) when (e.IsQueueMissing)
        {
            return null;
        }
    }

    /// <summary>Sends in chunks of at most ten entries and 256 KiB; returns the outcome of every entry.</summary>
    public async Task<SqsSendBatchResult> SendMessageBatchAsync(string queueUrl, IReadOnlyList<SqsSendEntry> entries, CancellationToken cancellationToken)
    {
        var successful = new List<SqsSendResult>(entries.Count);
        var failed = new List<SqsBatchFailure>();
        foreach (var chunk in Chunk(entries, e => System.Text.Encoding.UTF8.GetByteCount(e.MessageBody) + 512))
        {
            var response = await SendAsync<SendMessageBatchRequest, SendMessageBatchResponse>(
                "SendMessageBatch", new SendMessageBatchRequest(queueUrl, chunk), cancellationToken);
            successful.AddRange(response.Successful?.Select(s => new SqsSendResult(s.Id, s.MessageId)) ?? []);
            failed.AddRange(response.Failed?.Select(ToFailure) ?? []);
        }

        return new SqsSendBatchResult(successful, failed);
    }

    public async Task<IReadOnlyList<SqsMessage>> ReceiveMessageAsync(string queueUrl, SqsReceiveRequest request, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.MaxNumberOfMessages, MaxBatchEntries);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(request.WaitTimeSeconds, 20);
        var response = await SendAsync<ReceiveMessageRequest, ReceiveMessageResponse>("ReceiveMessage",
            new ReceiveMessageRequest(queueUrl, request.MaxNumberOfMessages, request.WaitTimeSeconds, request.VisibilityTimeout,
                ["ApproximateReceiveCount", "SentTimestamp"], ["All"]),
            cancellationToken);
        return response.Messages ?? [];
    }

    public async Task<SqsBatchResult> DeleteMessageBatchAsync(string queueUrl, IReadOnlyList<SqsDeleteEntry> entries, CancellationToken cancellationToken)
    {
        var successful = new List<string>(entries.Count);
        var failed = new List<SqsBatchFailure>();
        foreach (var chunk in Chunk(entries, e => e.ReceiptHandle.Length + 64))
        {
            var response = await SendAsync<DeleteMessageBatchRequest, BatchResponse>("DeleteMessageBatch", new DeleteMessageBatchRequest(queueUrl, chunk), cancellationToken);
            successful.AddRange(response.Successful?.Select(s => s.Id) ?? []);
            failed.AddRange(response.Failed?.Select(ToFailure) ?? []);
        }

        return new SqsBatchResult(successful, failed);
    }

    public Task ChangeMessageVisibilityAsync(string queueUrl, string receiptHandle, int visibilityTimeoutSeconds, CancellationToken cancellationToken) =>
        SendAsync<ChangeMessageVisibilityRequest, EmptyResponse>("ChangeMessageVisibility",
            new ChangeMessageVisibilityRequest(queueUrl, receiptHandle, visibilityTimeoutSeconds), cancellationToken);

    public async Task<SqsBatchResult> ChangeMessageVisibilityBatchAsync(string queueUrl, IReadOnlyList<SqsVisibilityEntry> entries, CancellationToken cancellationToken)
    {
        var successful = new List<string>(entries.Count);
        var failed = new List<SqsBatchFailure>();
        foreach (var chunk in Chunk(entries, e => e.ReceiptHandle.Length + 64))
        {
            var response = await SendAsync<ChangeMessageVisibilityBatchRequest, BatchResponse>("ChangeMessageVisibilityBatch",
                new ChangeMessageVisibilityBatchRequest(queueUrl, chunk), cancellationToken);
            successful.AddRange(response.Successful?.Select(s => s.Id) ?? []);
            failed.AddRange(response.Failed?.Select(ToFailure) ?? []);
        }

        return new SqsBatchResult(successful, failed);
    }

    public async Task<IReadOnlyDictionary<string, string>> GetQueueAttributesAsync(string queueUrl, IReadOnlyList<string> attributeNames, CancellationToken cancellationToken)
    {
        var response = await SendAsync<GetQueueAttributesRequest, GetQueueAttributesResponse>("GetQueueAttributes",
            new GetQueueAttributesRequest(queueUrl, attributeNames), cancellationToken);
        return response.Attributes ?? new Dictionary<string, string>();
    }

    private async Task<TResponse> SendAsync<TRequest, TResponse>(string action, TRequest request, CancellationToken cancellationToken)
    {
        var o = options.Value;
        var body = JsonSerializer.SerializeToUtf8Bytes(request, Json);
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await SendOnceAsync<TResponse>(action, body, cancellationToken);
            }
            catch (Exception e) when (attempt < o.MaxRetries && IsTransient(e, cancellationToken))
            {
                // Full jitter: concurrent callers throttled together spread out instead of retrying in lockstep.
                var ceiling = o.RetryBaseDelay.Ticks * Math.Pow(2, attempt);
                var delay = TimeSpan.FromTicks((long)(ceiling * Random.Shared.NextDouble()));
                LogRetry(logger, action, attempt + 1, delay.TotalMilliseconds, e.Message);
                await Task.Delay(delay, time, cancellationToken);
            }
        }
    }

    private async Task<TResponse> SendOnceAsync<TResponse>(string action, byte[] body, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var request = new HttpRequestMessage(HttpMethod.Post, o.ResolveServiceUrl());
        request.Content = new ByteArrayContent(body);
        request.Content.Headers.ContentType = JsonContentType;
        request.Headers.TryAddWithoutValidation("X-Amz-Target", $"AmazonSQS.{action}");
        var identity = await credentials.GetAsync();
        SigV4Signer.Sign(request, body, identity, o.Region, "sqs", time.GetUtcNow().UtcDateTime);

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        var payload = await response.Content.ReadAsByteArrayAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw ToException(action, response, payload);
        }

        if (payload.Length == 0)
        {
            return JsonSerializer.Deserialize<TResponse>("{}"u8, Json)!;
        }

        try
        {
            return JsonSerializer.Deserialize<TResponse>(payload, Json)
                ?? throw new SqsException(action, "MalformedResponse", "The response body is empty JSON.", response.StatusCode);
        }
        catch (JsonException e)
        {
            throw new SqsException(action, "MalformedResponse", $"The response is not the JSON expected: {Snippet(payload)}", response.StatusCode, e);
        }
    }

    private static SqsException ToException(string action, HttpResponseMessage response, byte[] payload)
    {
        string? type = null;
        string? message = null;
        try
        {
            var error = JsonSerializer.Deserialize<SqsErrorResponse>(payload, Json);
            type = error?.Type;
            message = error?.Message ?? error?.MessageUpper;
        }
        catch (JsonException)
        {
            // Not JSON (a proxy's HTML page, an XML-only server): the status and a snippet say enough.
        }

        // "com.amazonaws.sqs#QueueDoesNotExist" -> "QueueDoesNotExist"; the legacy query code is a fallback.
        var code = type?[(type.LastIndexOf('#') + 1)..];
        if (string.IsNullOrEmpty(code) && response.Headers.TryGetValues("x-amzn-query-error", out var legacy))
        {
            code = legacy.First().Split(';')[0];
        }

        return new SqsException(action, string.IsNullOrEmpty(code) ? $"Http{(int)response.StatusCode}" : code,
            message ?? (payload.Length > 0 ? Snippet(payload) : response.ReasonPhrase ?? "no details"), response.StatusCode);
    }

    private static bool IsTransient(Exception e, CancellationToken cancellationToken) => e switch
    {
        SqsException sqs => sqs.IsTransient,
        HttpRequestException => true,
        // HttpClient's own timeout, not the caller's cancellation.
        TaskCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static SqsBatchFailure ToFailure(BatchResultErrorEntry f) => new(f.Id, f.Code, f.Message, f.SenderFault);

    private static IEnumerable<List<T>> Chunk<T>(IReadOnlyList<T> entries, Func<T, int> size)
    {
        var chunk = new List<T>(MaxBatchEntries);
        var bytes = 0;
        foreach (var entry in entries)
        {
            var entrySize = size(entry);
            if (chunk.Count == MaxBatchEntries || (chunk.Count > 0 && bytes + entrySize > MaxBatchPayloadBytes))
            {
                yield return chunk;
                chunk = new List<T>(MaxBatchEntries);
                bytes = 0;
            }

            chunk.Add(entry);
            bytes += entrySize;
        }

        if (chunk.Count > 0)
        {
            yield return chunk;
        }
    }

    private static string Snippet(byte[] payload)
    {
        var text = System.Text.Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, 300));
        return payload.Length > 300 ? text + "…" : text;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQS {Action} failed (attempt {Attempt}), retrying in {DelayMs} ms: {Reason}")]
    private static partial void LogRetry(ILogger logger, string action, int attempt, double delayMs, string reason);
}
