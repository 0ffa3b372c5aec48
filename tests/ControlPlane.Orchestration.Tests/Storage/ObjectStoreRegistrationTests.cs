using ControlPlane.Application;
using ControlPlane.Orchestration.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ControlPlane.Orchestration.Tests.Storage;

public sealed class ObjectStoreRegistrationTests
{
    [Fact]
    public async Task Without_configuration_the_store_is_local_under_the_data_directory()
    {
        var dataDirectory = Directory.CreateTempSubdirectory("registration-").FullName;
        try
        {
            using var provider = Build(new() { ["ControlPlane:DataDirectory"] = dataDirectory });
            var store = provider.GetRequiredService<IObjectStore>();
            var location = S3Location.Parse("s3://bucket/k.txt").Value!;

            await store.CreateBucketIfMissingAsync(location);
            await store.PutAsync(location, new MemoryStream([42]));

            Assert.IsType<LocalObjectStore>(store);
            Assert.Equal([42], await File.ReadAllBytesAsync(Path.Combine(dataDirectory, "s3", "bucket", "k.txt")));
            Assert.NotNull(provider.GetRequiredService<DataStager>());
        }
        finally
        {
            Directory.Delete(dataDirectory, recursive: true);
        }
    }

    [Fact]
    public void Kind_s3_binds_the_S3_settings_and_registers_the_S3_store()
    {
        using var provider = Build(new()
        {
            ["ControlPlane:ObjectStore:Kind"] = "s3",
            ["ControlPlane:ObjectStore:S3:ServiceUrl"] = "http://127.0.0.1:9000",
            ["ControlPlane:ObjectStore:S3:ForcePathStyle"] = "true",
            ["ControlPlane:ObjectStore:S3:Region"] = "eu-west-1",
            ["ControlPlane:ObjectStore:S3:PartSizeBytes"] = "8388608",
        });

        var options = provider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value;

        Assert.Equal(ObjectStoreKind.S3, options.Kind);
        Assert.Equal(("http://127.0.0.1:9000", true, "eu-west-1", 8388608L), (options.S3.ServiceUrl, options.S3.ForcePathStyle, options.S3.Region, options.S3.PartSizeBytes));
        Assert.IsType<S3ObjectStore>(provider.GetRequiredService<IObjectStore>());
    }

    [Theory]
    [InlineData("AccessKey", "only-the-key", "AccessKey and SecretKey must be set together")]
    [InlineData("ServiceUrl", "127.0.0.1:9000", "ServiceUrl must be an absolute http or https URL")]
    [InlineData("PartSizeBytes", "1048576", "PartSizeBytes must be between 5242880 and 5368709120")]
    public void Invalid_S3_settings_are_rejected_when_the_options_are_read(string setting, string value, string message)
    {
        using var provider = Build(new() { ["ControlPlane:ObjectStore:Kind"] = "S3", [$"ControlPlane:ObjectStore:S3:{setting}"] = value });

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value);

        Assert.Contains(message, error.Message);
    }

    [Fact]
    public void S3_settings_are_not_checked_when_the_store_is_local()
    {
        using var provider = Build(new() { ["ControlPlane:ObjectStore:S3:AccessKey"] = "only-the-key" });

        Assert.Equal(ObjectStoreKind.Local, provider.GetRequiredService<IOptions<ObjectStoreOptions>>().Value.Kind);
    }

    private static ServiceProvider Build(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        return new ServiceCollection()
            .AddControlPlaneApplication(configuration)
            .AddObjectStore(configuration)
            .BuildServiceProvider();
    }
}
