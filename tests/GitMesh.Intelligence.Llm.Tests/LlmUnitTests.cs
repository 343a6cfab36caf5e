using GitMesh.Domain.Signals;
using GitMesh.Intelligence.Classification;
using Microsoft.Extensions.Options;

namespace GitMesh.Intelligence.Llm.Tests;

public sealed class LlmPromptTests
{
    [Theory]
    [InlineData("""{"intent":"feature_request","sentiment":"positive","confidence":0.8,"summary":"Wants dark mode."}""", SignalIntent.FeatureRequest, SignalSentiment.Positive)]
    [InlineData("""{"intent":"Bug","sentiment":"NEGATIVE","confidence":1,"summary":"  Crashes\non   start. "}""", SignalIntent.Bug, SignalSentiment.Negative)]
    [InlineData("```json\n{\"intent\":\"praise\",\"sentiment\":\"positive\",\"confidence\":0.7,\"summary\":\"Loves it.\"}\n```", SignalIntent.Praise, SignalSentiment.Positive)]
    public void Well_formed_answers_are_read(string content, SignalIntent intent, SignalSentiment sentiment)
    {
        LlmPrompt.TryParse(content, out var answer, out var error).ShouldBeTrue(error);
        answer!.Intent.ShouldBe(intent);
        answer.Sentiment.ShouldBe(sentiment);
        answer.Summary.ShouldNotContain("\n");
        answer.Summary.ShouldNotStartWith(" ");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("The intent is bug.")]
    [InlineData("[1,2]")]
    [InlineData("""{"intent":"feature","sentiment":"positive","confidence":0.8,"summary":"x"}""")]
    [InlineData("""{"intent":"bug","sentiment":"angry","confidence":0.8,"summary":"x"}""")]
    [InlineData("""{"intent":"bug","sentiment":"negative","confidence":1.5,"summary":"x"}""")]
    [InlineData("""{"intent":"bug","sentiment":"negative","confidence":"high","summary":"x"}""")]
    [InlineData("""{"intent":"bug","sentiment":"negative","confidence":0.5,"summary":""}""")]
    [InlineData("""{"intent":"bug","sentiment":"negative","confidence":0.5}""")]
    [InlineData("""{"intent":1,"sentiment":"negative","confidence":0.5,"summary":"x"}""")]
    [InlineData("prefix {\"intent\":\"bug\",\"sentiment\":\"negative\",\"confidence\":0.5,\"summary\":\"x\"}")]
    public void Anything_else_is_refused_with_a_reason(string? content)
    {
        LlmPrompt.TryParse(content, out var answer, out var error).ShouldBeFalse();
        answer.ShouldBeNull();
        error.ShouldNotBeNullOrWhiteSpace();
    }

    [Fact]
    public void Input_is_cut_to_the_configured_size()
    {
        var text = LlmPrompt.User("Title", new string('a', 10_000), "code()", 500);
        text.Length.ShouldBeLessThan(520);
        text.ShouldStartWith("Title: Title");
        text.ShouldEndWith("[truncated]");
    }

    [Fact]
    public void A_new_text_invalidates_the_enrichment_of_the_old_one()
    {
        var signal = new Signal { Source = "github", Kind = "issue", ExternalId = "1", ContentHash = "a" };
        signal.LlmState = LlmStates.Done;
        signal.ClassifiedBy = ClassifiedByValues.Llm;
        signal.Summary = "Old summary.";
        signal.ContentHash = "a";
        signal.LlmState.ShouldBe(LlmStates.Done);

        signal.ContentHash = "b";
        signal.LlmState.ShouldBe(LlmStates.Pending);
        signal.ClassifiedBy.ShouldBe(ClassifiedByValues.Model);
        signal.Summary.ShouldBeNull();
    }

    [Fact]
    public void Enabled_mode_with_bad_settings_fails_with_clear_messages_and_no_key()
    {
        var options = new LlmOptions { Enabled = true, Endpoint = "ftp://example", Model = "", ApiKey = "sk-SECRET", Concurrency = 0, DailyCostBudget = 5 };
        var result = new LlmOptionsValidator().Validate(null, options);
        result.Failed.ShouldBeTrue();
        result.FailureMessage.ShouldContain("Intelligence:Llm:Endpoint");
        result.FailureMessage.ShouldContain("Intelligence:Llm:Model");
        result.FailureMessage.ShouldContain("Concurrency");
        result.FailureMessage.ShouldContain("InputPricePer1kTokens");
        result.FailureMessage.ShouldNotContain("SECRET");
        new LlmOptionsValidator().Validate(null, new LlmOptions()).Succeeded.ShouldBeTrue();
    }

    [Fact]
    public void Token_bucket_allows_a_burst_then_the_configured_rate()
    {
        var time = new ManualTime(DateTimeOffset.UnixEpoch);
        var gate = new LlmGate(Options.Create(new LlmOptions { RequestsPerMinute = 3 }), time);
        gate.TryAcquire().ShouldBeNull();
        gate.TryAcquire().ShouldBeNull();
        gate.TryAcquire().ShouldBeNull();
        var wait = gate.TryAcquire();
        wait.ShouldNotBeNull();
        wait.Value.Blocked.ShouldBeFalse();
        wait.Value.Wait.ShouldBe(TimeSpan.FromSeconds(20), TimeSpan.FromMilliseconds(1));
        time.Advance(TimeSpan.FromSeconds(20));
        gate.TryAcquire().ShouldBeNull();
        gate.TryAcquire().ShouldNotBeNull();
    }
}
