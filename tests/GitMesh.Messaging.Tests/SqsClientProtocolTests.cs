using System.Text.Json;
using GitMesh.Messaging.Sqs;
using GitMesh.TestCommon.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace GitMesh.Messaging.Tests;

/// <summary>What <see cref="SqsClient"/> sends and how it reads answers, against a loopback fake speaking the SQS JSON protocol.</summary>
public sealed class SqsClientProtocolTests : IAsyncDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 3, 4, 5, 6, 7, TimeSpan.Zero));
    private readonly Queue<(int Status, string Body)> _answers = new();
    private readonly HttpClient _http = new();
    private LoopbackServer? _server;

    private async Task<SqsClient> CreateClientAsync(int maxRetries = 3)
    {
        _server = await LoopbackServer.StartAsync(async context =>
        {
            var (status, body) = _answers.Count > 0 ? _answers.Dequeue() : (200, "{}");
            context.Response.StatusCode = status;
            context.Response.ContentType = "application/x-amz-json-1.0";
            await context.Response.WriteAsync(body);
        });
        var options = Options.Create(new SqsOptions
        {
            ServiceUrl = _server.BaseAddress.ToString(),
            Region = "eu-west-1",
            AccessKey = "AKIDTEST",
            SecretKey = "secret",
            MaxRetries = maxRetries,
            RetryBaseDelay = TimeSpan.Zero,
        });
        return new SqsClient(_http, options, new SqsCredentials(options), _time, NullLogger<SqsClient>.Instance);
    }

    [Fact]
    public async Task Requests_use_the_json_protocol_and_are_signed_for_the_region()
    {
        var client = await CreateClientAsync();
        _answers.Enqueue((200, """{"QueueUrl":"http://localhost/000000000000/ingest"}"""));

        (await client.GetQueueUrlAsync("ingest", CancellationToken.None)).ShouldBe("http://localhost/000000000000/ingest");

        var request = _server!.Requests.ShouldHaveSingleItem();
        request.Method.ShouldBe("POST");
        request.Path.ShouldBe("/");
        request.Headers["X-Amz-Target"].ShouldBe("AmazonSQS.GetQueueUrl");
        request.Headers["Content-Type"].ShouldBe("application/x-amz-json-1.0");
        request.Headers["X-Amz-Date"].ShouldBe("20260304T050607Z");
        request.Headers["Authorization"].ShouldStartWith("AWS4-HMAC-SHA256 Credential=AKIDTEST/20260304/eu-west-1/sqs/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=");
        JsonDocument.Parse(request.Body).RootElement.GetProperty("QueueName").GetString().ShouldBe("ingest");
    }

    [Fact]
    public async Task Batches_larger_than_ten_are_sent_in_chunks_of_ten()
    {
        var client = await CreateClientAsync();
        for (var i = 0; i < 3; i++)
        {
            _answers.Enqueue((200, """{"Successful":[{"Id":"0","MessageId":"m","MD5OfMessageBody":"x"}]}"""));
        }

        var entries = Enumerable.Range(0, 25).Select(i => new SqsSendEntry(i.ToString(System.Globalization.CultureInfo.InvariantCulture), $"body {i}")).ToList();
        await client.SendMessageBatchAsync("http://q", entries, CancellationToken.None);

        var sizes = _server!.Requests.Select(r => JsonDocument.Parse(r.Body).RootElement.GetProperty("Entries").GetArrayLength()).ToList();
        sizes.ShouldBe([10, 10, 5]);
        _server.Requests.ShouldAllBe(r => r.Headers["X-Amz-Target"] == "AmazonSQS.SendMessageBatch");
        JsonDocument.Parse(_server.Requests[0].Body).RootElement.GetProperty("Entries")[0].TryGetProperty("MessageAttributes", out _)
            .ShouldBeFalse("absent members are left out, not sent as null");
    }

    [Fact]
    public async Task Throttled_calls_are_retried_until_they_succeed()
    {
        var client = await CreateClientAsync(maxRetries: 3);
        _answers.Enqueue((400, """{"__type":"com.amazonaws.sqs#ThrottlingException","message":"Rate exceeded"}"""));
        _answers.Enqueue((503, """{"__type":"com.amazonaws.sqs#ServiceUnavailable","message":"try later"}"""));
        _answers.Enqueue((200, """{"Attributes":{"ApproximateNumberOfMessages":"7"}}"""));

        var attributes = await client.GetQueueAttributesAsync("http://q", ["ApproximateNumberOfMessages"], CancellationToken.None);

        attributes["ApproximateNumberOfMessages"].ShouldBe("7");
        _server!.Requests.Count.ShouldBe(3);
    }

    [Fact]
    public async Task Errors_carry_the_service_code_and_message()
    {
        var client = await CreateClientAsync();
        _answers.Enqueue((400, """{"__type":"com.amazonaws.sqs#InvalidParameterValue","message":"Value 99 for parameter MaxNumberOfMessages is invalid."}"""));

        var error = await Should.ThrowAsync<SqsException>(() => client.ChangeMessageVisibilityAsync("http://q", "r", 5, CancellationToken.None));

        error.ErrorCode.ShouldBe("InvalidParameterValue");
        error.Action.ShouldBe("ChangeMessageVisibility");
        error.Message.ShouldContain("MaxNumberOfMessages is invalid");
        _server!.Requests.Count.ShouldBe(1, "a client error is not retried");
    }

    [Fact]
    public async Task A_missing_queue_is_null_for_GetQueueUrl()
    {
        var client = await CreateClientAsync();
        _answers.Enqueue((400, """{"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"The specified queue does not exist."}"""));

        (await client.GetQueueUrlAsync("nope", CancellationToken.None)).ShouldBeNull();
    }

    [Fact]
    public async Task A_non_json_failure_is_reported_with_its_status_after_the_retries()
    {
        var client = await CreateClientAsync(maxRetries: 1);
        _answers.Enqueue((502, "<html>Bad Gateway</html>"));
        _answers.Enqueue((502, "<html>Bad Gateway</html>"));

        var error = await Should.ThrowAsync<SqsException>(() => client.GetQueueAttributesAsync("http://q", ["All"], CancellationToken.None));

        error.ErrorCode.ShouldBe("Http502");
        error.Message.ShouldContain("Bad Gateway");
        _server!.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task Received_messages_expose_receive_count_sent_time_and_attributes()
    {
        var client = await CreateClientAsync();
        _answers.Enqueue((200, """
            {"Messages":[{"MessageId":"id-1","ReceiptHandle":"rh-1","MD5OfBody":"x","Body":"hello",
              "Attributes":{"ApproximateReceiveCount":"3","SentTimestamp":"1767603600000"},
              "MessageAttributes":{"GitMesh.Error":{"DataType":"String","StringValue":"boom"}}}]}
            """));

        var message = (await client.ReceiveMessageAsync("http://q", new SqsReceiveRequest(10, 20, 30), CancellationToken.None)).ShouldHaveSingleItem();

        message.ApproximateReceiveCount.ShouldBe(3);
        message.SentTimestamp.ShouldBe(new DateTime(2026, 1, 5, 9, 0, 0, DateTimeKind.Utc));
        message.StringAttribute("GitMesh.Error").ShouldBe("boom");
        var sent = JsonDocument.Parse(_server!.Requests.Single().Body).RootElement;
        sent.GetProperty("MaxNumberOfMessages").GetInt32().ShouldBe(10);
        sent.GetProperty("WaitTimeSeconds").GetInt32().ShouldBe(20);
        sent.GetProperty("VisibilityTimeout").GetInt32().ShouldBe(30);
        sent.GetProperty("MessageSystemAttributeNames").EnumerateArray().Select(e => e.GetString()).ShouldBe(["ApproximateReceiveCount", "SentTimestamp"]);
    }

    public async ValueTask DisposeAsync()
    {
        _http.Dispose();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
