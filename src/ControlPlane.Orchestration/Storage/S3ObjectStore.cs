using System.Net;
using System.Runtime.CompilerServices;
using Amazon;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Amazon.S3.Transfer;
using Amazon.S3.Util;

namespace ControlPlane.Orchestration.Storage;

/// <summary>Objects in Amazon S3 or an S3-compatible server, through AWSSDK.S3.</summary>
internal sealed class S3ObjectStore : IObjectStore, IDisposable
{
    private const int MaxParts = 10_000;

    private readonly AmazonS3Client _client;
    private readonly TransferUtility _transfer;
    private readonly S3StoreOptions _options;

    public S3ObjectStore(S3StoreOptions options)
    {
        _options = options;
        _client = CreateClient(options);
        _transfer = new TransferUtility(_client, new TransferUtilityConfig { MinSizeBeforePartUpload = options.PartSizeBytes });
    }

    public async IAsyncEnumerable<ObjectEntry> ListAsync(S3Location prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var request = new ListObjectsV2Request { BucketName = prefix.Bucket, Prefix = prefix.Key };
        while (true)
        {
            var page = await ListPageAsync(request, cancellationToken);
            if (page is null)
            {
                yield break;
            }

            // AWSSDK v4 leaves collections of empty responses null and makes flags nullable.
            foreach (var item in page.S3Objects ?? [])
            {
                var modified = item.LastModified is { } time ? new DateTimeOffset(time.ToUniversalTime()) : DateTimeOffset.MinValue;
                yield return new ObjectEntry(item.Key, item.Size ?? 0, modified, item.ETag?.Trim('"'));
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task<bool> ExistsAsync(S3Location location, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.GetObjectMetadataAsync(location.Bucket, ObjectKey(location), cancellationToken);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }
    }

    public async Task<Stream?> OpenReadAsync(S3Location location, CancellationToken cancellationToken = default)
    {
        try
        {
            // Disposing the response stream releases the response.
            var response = await _client.GetObjectAsync(location.Bucket, ObjectKey(location), cancellationToken);
            return response.ResponseStream;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    public async Task<bool> DownloadToFileAsync(S3Location location, string filePath, CancellationToken cancellationToken = default)
    {
        await using var source = await OpenReadAsync(location, cancellationToken);
        if (source is null)
        {
            return false;
        }

        await AtomicFile.WriteAsync(filePath, source, cancellationToken);
        return true;
    }

    public Task PutAsync(S3Location location, Stream content, CancellationToken cancellationToken = default) =>
        UploadAsync(location, new TransferUtilityUploadRequest
        {
            InputStream = content,
            AutoCloseStream = false,
            PartSize = PartSize(content.CanSeek ? content.Length - content.Position : 0),
        }, cancellationToken);

    public Task UploadFileAsync(S3Location location, string filePath, CancellationToken cancellationToken = default) =>
        UploadAsync(location, new TransferUtilityUploadRequest { FilePath = filePath, PartSize = PartSize(new FileInfo(filePath).Length) }, cancellationToken);

    public async Task DeleteAsync(S3Location location, CancellationToken cancellationToken = default)
    {
        try
        {
            await _client.DeleteObjectAsync(location.Bucket, ObjectKey(location), cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            // Nothing to delete, as for a missing key.
        }
    }

    public async Task CreateBucketIfMissingAsync(S3Location location, CancellationToken cancellationToken = default)
    {
        // Buckets on AWS are provisioned deliberately, with their own policies; only development servers get them on demand.
        if (!_options.CreateMissingBuckets || await AmazonS3Util.DoesS3BucketExistV2Async(_client, location.Bucket))
        {
            return;
        }

        try
        {
            await _client.PutBucketAsync(new PutBucketRequest { BucketName = location.Bucket }, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "BucketAlreadyOwnedByYou")
        {
            // Created concurrently.
        }
    }

    public void Dispose()
    {
        _transfer.Dispose();
        _client.Dispose();
    }

    private static AmazonS3Client CreateClient(S3StoreOptions options)
    {
        var config = new AmazonS3Config { ForcePathStyle = options.ForcePathStyle };
        if (options.ServiceUrl is not null)
        {
            config.ServiceURL = options.ServiceUrl;
            if (options.Region is not null)
            {
                config.AuthenticationRegion = options.Region;
            }
        }
        else if (options.Region is not null)
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(options.Region);
        }

        return string.IsNullOrEmpty(options.AccessKey)
            ? new AmazonS3Client(config)
            : new AmazonS3Client(new BasicAWSCredentials(options.AccessKey, options.SecretKey), config);
    }

    private static string ObjectKey(S3Location location) =>
        location.NamesObject ? location.Key : throw new ArgumentException($"'{location}' names a prefix, not an object.", nameof(location));

    private async Task<ListObjectsV2Response?> ListPageAsync(ListObjectsV2Request request, CancellationToken cancellationToken)
    {
        try
        {
            return await _client.ListObjectsV2Async(request, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            return null;
        }
    }

    private async Task UploadAsync(S3Location location, TransferUtilityUploadRequest request, CancellationToken cancellationToken)
    {
        request.BucketName = location.Bucket;
        request.Key = ObjectKey(location);
        try
        {
            await _transfer.UploadAsync(request, cancellationToken);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchBucket")
        {
            throw new ObjectStoreException($"The bucket '{location.Bucket}' does not exist.", e);
        }
    }

    /// <summary>The configured part size, grown when needed to stay within S3's 10,000 parts.</summary>
    private long PartSize(long length) => Math.Max(_options.PartSizeBytes, (length + MaxParts - 1) / MaxParts);
}
