using Amazon.Runtime;
using Amazon.Runtime.Credentials;
using Microsoft.Extensions.Options;

namespace GitMesh.Messaging.Sqs;

/// <summary>
/// Static keys from <see cref="SqsOptions"/> when given (tests, SQS-compatible servers), otherwise the AWS default chain
/// (environment, profile, web identity, ECS/EC2 roles), resolved on first use; the SDK refreshes temporary credentials.
/// </summary>
public sealed class SqsCredentials(IOptions<SqsOptions> options)
{
    private readonly Lazy<AWSCredentials> _credentials = new(() => Resolve(options.Value), LazyThreadSafetyMode.ExecutionAndPublication);

    public async Task<ImmutableCredentials> GetAsync()
    {
        try
        {
            return await _credentials.Value.GetCredentialsAsync();
        }
        catch (AmazonClientException e)
        {
            throw new InvalidOperationException(
                "No AWS credentials for SQS: set Queue:Sqs:AccessKey and Queue:Sqs:SecretKey, or configure the AWS default credential chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or an instance role).", e);
        }
    }

    private static AWSCredentials Resolve(SqsOptions o)
    {
        if (!string.IsNullOrEmpty(o.AccessKey) && !string.IsNullOrEmpty(o.SecretKey))
        {
            return string.IsNullOrEmpty(o.SessionToken)
                ? new BasicAWSCredentials(o.AccessKey, o.SecretKey)
                : new SessionAWSCredentials(o.AccessKey, o.SecretKey, o.SessionToken);
        }

        return DefaultAWSCredentialsIdentityResolver.GetCredentials(null);
    }
}
