using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Options;
using OpenAI;
using OpenAI.Chat;

namespace GitMesh.Intelligence.Llm;

public enum LlmCallOutcome
{
    /// <summary>The endpoint answered; the content still has to be validated.</summary>
    Answered,

    /// <summary>429: slow down (Retry-After honoured).</summary>
    RateLimited,

    /// <summary>5xx, timeout, connection failure, or a refused key/model: the endpoint's problem, not the signal's.</summary>
    EndpointFailure,

    /// <summary>Another 4xx (e.g. the request was too large): this signal's request will not work as it is.</summary>
    Rejected,
}

/// <param name="Error">Status and reason only: never a response body (it may echo text) nor the key.</param>
public sealed record LlmCallResult(LlmCallOutcome Outcome, string? Content, int PromptTokens, int CompletionTokens, TimeSpan? RetryAfter, string? Error);

/// <summary>The chat-completions call, behind an interface so the worker's policies are testable on their own.</summary>
public interface ILlmChatClient
{
    Task<LlmCallResult> CompleteAsync(string systemPrompt, string userPrompt, CancellationToken cancellationToken);
}

/// <summary>
/// POST {Endpoint}/chat/completions through the OpenAI SDK on our own HttpClient. The SDK's retries are off: the
/// worker owns backoff, Retry-After, the rate limit and the circuit breaker, and counts every attempt.
/// </summary>
internal sealed class OpenAiLlmChatClient : ILlmChatClient
{
    private readonly ChatClient _client;
    private readonly LlmOptions _options;
    private readonly TimeProvider _time;

    public OpenAiLlmChatClient(IHttpClientFactory httpClients, IOptions<LlmOptions> options, TimeProvider time)
    {
        _options = options.Value;
        _time = time;
        var http = httpClients.CreateClient(LlmServiceCollectionExtensions.HttpClientName);
        http.Timeout = Timeout.InfiniteTimeSpan;
        var clientOptions = new OpenAIClientOptions
        {
            Endpoint = _options.EndpointUri,
            Transport = new HttpClientPipelineTransport(http),
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = _options.Timeout + TimeSpan.FromSeconds(5),
        };
        // Local servers often need no key; the SDK still wants a non-empty credential.
        var key = string.IsNullOrWhiteSpace(_options.ApiKey) ? "no-key" : _options.ApiKey;
        _client = new ChatClient(_options.Model ?? "unset", new ApiKeyCredential(key), clientOptions);
    }

    public async Task<LlmCallResult> CompleteAsync(string systemPrompt, string userPrompt, CancellationToken cancellationToken)
    {
        var request = new ChatCompletionOptions
        {
            Temperature = 0f,
            MaxOutputTokenCount = _options.MaxOutputTokens,
        };
        if (_options.JsonResponseFormat)
        {
            request.ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            ChatMessage[] messages = [new SystemChatMessage(systemPrompt), new UserChatMessage(userPrompt)];
            var result = await _client.CompleteChatAsync(messages, request, timeout.Token);
            var completion = result.Value;
            var content = completion.Content.Count > 0 ? string.Concat(completion.Content.Select(p => p.Text)) : null;
            return new LlmCallResult(LlmCallOutcome.Answered, content, completion.Usage?.InputTokenCount ?? 0, completion.Usage?.OutputTokenCount ?? 0, null, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new LlmCallResult(LlmCallOutcome.EndpointFailure, null, 0, 0, null, $"timed out after {_options.Timeout.TotalSeconds:0.#} s");
        }
        catch (ClientResultException ex) when (ex.Status != 0)
        {
            var status = ex.Status;
            var retryAfter = RetryAfter(ex.GetRawResponse());
            var error = $"HTTP {status} {ReasonOf(status)}".TrimEnd();
            return status switch
            {
                429 => new LlmCallResult(LlmCallOutcome.RateLimited, null, 0, 0, retryAfter, error),
                >= 500 or 401 or 403 or 404 or 408 => new LlmCallResult(LlmCallOutcome.EndpointFailure, null, 0, 0, retryAfter, error),
                _ => new LlmCallResult(LlmCallOutcome.Rejected, null, 0, 0, null, error),
            };
        }
        catch (Exception ex) when (ex is ClientResultException or HttpRequestException or IOException or System.Text.Json.JsonException or InvalidOperationException or ArgumentException or FormatException)
        {
            // Connection refused / reset, or a 200 whose body is not a chat completion. The exception's message may hold a
            // URL or body fragments, so only its type is kept.
            return new LlmCallResult(LlmCallOutcome.EndpointFailure, null, 0, 0, null, $"request failed ({ex.GetType().Name})");
        }
    }

    private static string ReasonOf(int status) =>
        Enum.IsDefined(typeof(HttpStatusCode), status) ? ((HttpStatusCode)status).ToString() : string.Empty;

    private TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null || !response.Headers.TryGetValue("Retry-After", out var raw) || string.IsNullOrWhiteSpace(raw))
        {
            return null;
        }

        if (double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(Math.Min(seconds, 3600));
        }

        if (DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            var wait = at - _time.GetUtcNow();
            return wait <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromSeconds(Math.Min(wait.TotalSeconds, 3600));
        }

        return null;
    }
}
