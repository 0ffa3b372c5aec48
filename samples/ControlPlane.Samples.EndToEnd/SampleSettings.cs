namespace ControlPlane.Samples.EndToEnd;

/// <summary>The <c>Sample</c> section of appsettings.json (any key can be given as <c>--Sample:Key value</c>).</summary>
internal sealed class SampleSettings
{
    /// <summary><c>local</c>: the data goes straight into the service's local object store directory; <c>s3</c>: through AWSSDK.S3.</summary>
    public string Store { get; set; } = "local";

    /// <summary>The service's local store (<c>&lt;ControlPlane:DataDirectory&gt;/s3</c>), where <c>s3://bucket/key</c> is <c>bucket/key</c>.</summary>
    public string LocalStoreDirectory { get; set; } = "data/s3";

    /// <summary>The S3 endpoint for <c>Store = s3</c> (moto_server, MinIO; empty for AWS).</summary>
    public string S3ServiceUrl { get; set; } = string.Empty;

    public string Bucket { get; set; } = "sample-bucket";

    public string XGBoostImage { get; set; } = "sagemaker-xgboost:1.7-1";

    public string RoleArn { get; set; } = "arn:aws:iam::123456789012:role/SageMakerRole";

    public string InstanceType { get; set; } = "ml.m5.large";

    public int PollSeconds { get; set; } = 2;
}
