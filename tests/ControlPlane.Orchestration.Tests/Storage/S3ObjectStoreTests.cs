using Amazon.Runtime;
using Amazon.S3;
using ControlPlane.Orchestration.Storage;

namespace ControlPlane.Orchestration.Tests.Storage;

/// <summary>The contract against S3 (moto_server), plus what is particular to S3.</summary>
public sealed class S3ObjectStoreTests(MotoServer moto) : ObjectStoreContract, IClassFixture<MotoServer>, IDisposable
{
    private readonly S3ObjectStore _store = new(moto.StoreOptions());

    protected override IObjectStore Store => _store;

    public void Dispose() => _store.Dispose();

    [Fact]
    public async Task A_file_larger_than_the_part_size_is_sent_as_a_multipart_upload_and_a_smaller_one_is_not()
    {
        var directory = Directory.CreateTempSubdirectory("s3-multipart-").FullName;
        try
        {
            var big = Path.Combine(directory, "big.bin");
            var small = Path.Combine(directory, "small.bin");
            await File.WriteAllBytesAsync(big, RandomBytes(12 * 1024 * 1024));
            await File.WriteAllBytesAsync(small, RandomBytes(1024));

            await Store.UploadFileAsync(At("big.bin"), big);
            await Store.UploadFileAsync(At("small.bin"), small);

            // S3 gives a multipart object the ETag "<md5 of the part md5s>-<part count>": 12 MiB in 5 MiB parts is 3.
            var entries = await ListAsync("");
            Assert.EndsWith("-3", entries.Single(entry => entry.Key == "big.bin").ETag);
            Assert.DoesNotContain('-', entries.Single(entry => entry.Key == "small.bin").ETag!);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public async Task Buckets_are_created_on_demand_only_when_configured_to()
    {
        using var store = new S3ObjectStore(moto.StoreOptions(createMissingBuckets: false));
        var location = S3Location.Create($"never-{Guid.NewGuid():N}", "k").Value!;

        await store.CreateBucketIfMissingAsync(location);

        await Assert.ThrowsAsync<ObjectStoreException>(() => store.PutAsync(location, new MemoryStream([1])));
    }

    [Fact]
    public async Task Staging_refuses_a_hostile_key_that_another_client_stored()
    {
        using var client = new AmazonS3Client(new BasicAWSCredentials("test", "test"), new AmazonS3Config { ServiceURL = moto.Endpoint.ToString(), ForcePathStyle = true, AuthenticationRegion = "us-east-1" });
        // The SDK's own request type: this store would refuse the key.
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = Bucket, Key = "train/a.csv", ContentBody = "fine" });
        await client.PutObjectAsync(new Amazon.S3.Model.PutObjectRequest { BucketName = Bucket, Key = "train/x/../../../escaped.csv", ContentBody = "hostile" });
        Assert.Contains("train/x/../../../escaped.csv", (await ListAsync("train/")).Select(entry => entry.Key));
        var directory = Path.Combine(Path.GetTempPath(), $"stage-{Guid.NewGuid():N}", "train");

        var staged = await new DataStager(Store).StageAsync(new S3DataSource(At("train/"), S3DataType.S3Prefix, S3DataDistribution.FullyReplicated), directory, Shard.Single, CancellationToken.None);

        Assert.Contains("escaped.csv", staged.Error?.Message);
        Assert.False(Directory.Exists(Path.GetDirectoryName(directory)));
    }
}
