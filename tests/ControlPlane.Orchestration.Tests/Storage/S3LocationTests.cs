using ControlPlane.Core.Errors;
using ControlPlane.Orchestration.Storage;

namespace ControlPlane.Orchestration.Tests.Storage;

public sealed class S3LocationTests
{
    [Theory]
    [InlineData("s3://bucket/key", "bucket", "key")]
    [InlineData("s3://bucket/train/", "bucket", "train/")]
    [InlineData("s3://bucket/", "bucket", "")]
    [InlineData("s3://bucket", "bucket", "")]
    [InlineData("s3://my.bucket-1/a b/%20/é:x", "my.bucket-1", "a b/%20/é:x")]
    [InlineData("https://bucket.s3.amazonaws.com/a/b.csv", "bucket", "a/b.csv")]
    [InlineData("https://my.bucket.s3.eu-west-1.amazonaws.com/a%20b", "my.bucket", "a b")]
    [InlineData("https://s3.us-west-2.amazonaws.com/bucket/a/b", "bucket", "a/b")]
    public void Parse_reads_bucket_and_key(string uri, string bucket, string key)
    {
        var location = S3Location.Parse(uri);

        Assert.Null(location.Error);
        Assert.Equal((bucket, key), (location.Value!.Bucket, location.Value.Key));
    }

    [Theory]
    [InlineData("")]
    [InlineData("bucket/key")]
    [InlineData("s3:/bucket/key")]
    [InlineData("S3://bucket/key")]
    [InlineData("http://bucket.s3.amazonaws.com/key")]
    [InlineData("https://example.com/bucket/key")]
    [InlineData("https://bucket.s3.amazonaws.com/a/../../etc/passwd")]
    [InlineData("https://bucket.s3.amazonaws.com/a%2F..%2F..%2Fx")]
    [InlineData("s3://")]
    [InlineData("s3://ab/key")]
    [InlineData("s3://Bucket/key")]
    [InlineData("s3://-bucket/key")]
    [InlineData("s3://bucket-/key")]
    [InlineData("s3://my..bucket/key")]
    [InlineData("s3://my_bucket/key")]
    [InlineData("s3://192.168.10.1/key")]
    [InlineData("s3://..../key")]
    public void Parse_refuses_malformed_URIs_and_bucket_names_with_a_validation_error(string uri)
    {
        var location = S3Location.Parse(uri);

        Assert.Equal(ErrorCodes.Validation, location.Error?.Code);
        Assert.StartsWith($"Invalid S3 URI '{uri}'", location.Error!.Message);
    }

    [Fact]
    public void Keys_are_limited_to_1024_UTF8_bytes_and_valid_Unicode()
    {
        Assert.True(S3Location.Create("bucket", new string('é', 512)).Succeeded);
        Assert.False(S3Location.Create("bucket", new string('é', 513)).Succeeded);
        Assert.False(S3Location.Create("bucket", "a\ud800b").Succeeded);
        Assert.False(S3Location.Create("b", "k").Succeeded);
        Assert.True(S3Location.Create(new string('b', 63), "k").Succeeded);
        Assert.False(S3Location.Create(new string('b', 64), "k").Succeeded);
    }

    [Fact]
    public void Dots_inside_names_are_ordinary_characters()
    {
        Assert.True(S3Location.Create("bucket", "a/.hidden/..b/c..").Succeeded);
    }

    [Fact]
    public void A_key_names_an_object_unless_it_is_empty_or_ends_with_a_slash()
    {
        Assert.True(S3Location.Parse("s3://bucket/a/b").Value!.NamesObject);
        Assert.False(S3Location.Parse("s3://bucket/a/").Value!.NamesObject);
        Assert.False(S3Location.Parse("s3://bucket").Value!.NamesObject);
    }

    [Theory]
    [InlineData("s3://bucket", "x/y", "s3://bucket/x/y")]
    [InlineData("s3://bucket/out/", "x", "s3://bucket/out/x")]
    [InlineData("s3://bucket/out", "x", "s3://bucket/out/x")]
    public void Append_joins_a_relative_key_with_one_slash(string prefix, string relative, string expected)
    {
        Assert.Equal(expected, S3Location.Parse(prefix).Value!.Append(relative).Value!.ToString());
    }

    [Fact]
    public void Append_refuses_a_relative_key_that_climbs_out_of_the_prefix()
    {
        Assert.False(S3Location.Parse("s3://bucket/out/").Value!.Append("../x").Succeeded);
    }
}
