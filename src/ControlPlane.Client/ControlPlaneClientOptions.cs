namespace ControlPlane.Client;

/// <summary>
/// Where the clients send their requests and how: the endpoint, region and credentials as the AWS SDK configures
/// them (<c>ServiceURL</c>, <c>Region</c>, access key, secret key, session token), and the retry policy.
/// </summary>
/// <remarks>
/// Bound from configuration by <c>AddControlPlaneClient</c> (section <see cref="SectionName"/>) and validated by
/// <see cref="ControlPlaneClientOptionsValidator"/>. Without <see cref="ServiceURL"/> the clients talk to Amazon
/// SageMaker in <see cref="Region"/>.
/// </remarks>
public sealed class ControlPlaneClientOptions
{
    /// <summary>The configuration section <c>AddControlPlaneClient(configuration)</c> binds.</summary>
    public const string SectionName = "ControlPlaneClient";

    /// <summary>
    /// The control plane's base address, e.g. <c>http://127.0.0.1:5080</c>. Null means Amazon SageMaker itself:
    /// <c>https://api.sagemaker.{Region}.amazonaws.com</c>.
    /// </summary>
    public Uri? ServiceURL { get; set; }

    /// <summary>
    /// The inference gateway's base address for <see cref="Runtime.SageMakerRuntimeClient"/>. Null means
    /// <see cref="ServiceURL"/> when that is set (one listener serves both), else
    /// <c>https://runtime.sagemaker.{Region}.amazonaws.com</c>.
    /// </summary>
    public Uri? RuntimeServiceURL { get; set; }

    /// <summary>The region requests are signed for (and of the AWS endpoints). Default <c>us-east-1</c>, as the SDK falls back to with only a ServiceURL.</summary>
    public string Region { get; set; } = "us-east-1";

    /// <summary>The access key id; with <see cref="SecretKey"/>, requests are signed with AWS Signature Version 4.</summary>
    public string? AccessKey { get; set; }

    /// <summary>The secret access key that goes with <see cref="AccessKey"/>.</summary>
    public string? SecretKey { get; set; }

    /// <summary>The session token of temporary credentials, sent as <c>X-Amz-Security-Token</c> and signed.</summary>
    public string? SessionToken { get; set; }

    /// <summary>How many times a throttled, 5xx or dropped request is sent again (0 turns retries off). Default 3, as the SDK's standard mode.</summary>
    public int MaxErrorRetry { get; set; } = 3;

    /// <summary>The first retry's delay; each next one doubles it, with jitter. Default 100 ms.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>No retry waits longer than this. Default 20 s, as the SDK's standard mode.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// How long one attempt may take until the response headers arrive; an attempt that times out is retried.
    /// Default 100 s (the runtime's containers may take 60 s to answer).
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(100);

    /// <summary>True when <see cref="AccessKey"/> and <see cref="SecretKey"/> are both set, so requests get signed.</summary>
    public bool HasCredentials => !string.IsNullOrEmpty(AccessKey) && !string.IsNullOrEmpty(SecretKey);

    internal Uri ControlPlaneAddress => ServiceURL ?? new Uri($"https://api.sagemaker.{Region}.amazonaws.com/");

    internal Uri RuntimeAddress => RuntimeServiceURL ?? ServiceURL ?? new Uri($"https://runtime.sagemaker.{Region}.amazonaws.com/");
}
