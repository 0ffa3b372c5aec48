using Amazon.S3;
using Amazon.S3.Model;

namespace ControlPlane.Samples.EndToEnd;

/// <summary>Puts and gets the sample's objects: in the service's local store directory, or in S3 through AWSSDK.S3.</summary>
internal sealed class ObjectStore(SampleSettings settings) : IDisposable
{
    private readonly AmazonS3Client? _s3 = settings.Store == "s3"
        // Credentials and region come from the SDK's usual chain (AWS_ACCESS_KEY_ID, profiles, ...).
        ? new AmazonS3Client(string.IsNullOrEmpty(settings.S3ServiceUrl) ? new AmazonS3Config() : new AmazonS3Config { ServiceURL = settings.S3ServiceUrl, ForcePathStyle = true })
        : null;

    public string Uri(string key) => $"s3://{settings.Bucket}/{key}";

    public async Task PutAsync(string key, string content, CancellationToken cancellationToken)
    {
        if (_s3 is null)
        {
            var path = LocalPath(key);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, content, cancellationToken);
            return;
        }

        try
        {
            await _s3.PutBucketAsync(settings.Bucket, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode is "BucketAlreadyOwnedByYou" or "BucketAlreadyExists")
        {
            // A second run finds its bucket.
        }

        await _s3.PutObjectAsync(new PutObjectRequest { BucketName = settings.Bucket, Key = key, ContentBody = content }, cancellationToken);
    }

    public async Task<string> GetAsync(string key, CancellationToken cancellationToken)
    {
        if (_s3 is null)
        {
            return await File.ReadAllTextAsync(LocalPath(key), cancellationToken);
        }

        using var response = await _s3.GetObjectAsync(settings.Bucket, key, cancellationToken);
        using var reader = new StreamReader(response.ResponseStream);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    public void Dispose() => _s3?.Dispose();

    private string LocalPath(string key) => Path.Combine(settings.LocalStoreDirectory, settings.Bucket, key);
}
