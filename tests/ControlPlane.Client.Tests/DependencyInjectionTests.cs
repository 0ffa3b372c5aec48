using ControlPlane.Client.Model;
using ControlPlane.Client.Runtime;
using ControlPlane.Client.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ControlPlane.Client.Tests;

/// <summary><c>AddControlPlaneClient</c> binds and validates the options and registers typed HTTP clients.</summary>
public sealed class DependencyInjectionTests(ApiOnlyService fixture) : IClassFixture<ApiOnlyService>
{
    [Fact]
    public async Task The_clients_come_from_configuration_and_talk_to_the_service()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ControlPlaneClient:ServiceURL"] = fixture.Service.BaseAddress.ToString(),
            ["ControlPlaneClient:Region"] = "eu-central-1",
            ["ControlPlaneClient:MaxErrorRetry"] = "5",
            ["ControlPlaneClient:Timeout"] = "00:00:20",
        }).Build();
        await using var provider = new ServiceCollection().AddControlPlaneClient(configuration).ControlPlane.Services.BuildServiceProvider(validateScopes: true);
        provider.GetRequiredService<IStartupValidator>().Validate();
        var client = provider.GetRequiredService<ISageMakerClient>();
        var model = Shapes.Unique("model");

        await client.CreateModelAsync(Shapes.Model(model));
        var described = await client.DescribeModelAsync(new DescribeModelInput { ModelName = model });

        var options = provider.GetRequiredService<IOptions<ControlPlaneClientOptions>>().Value;
        Assert.Equal(("eu-central-1", 5, TimeSpan.FromSeconds(20)), (options.Region, options.MaxErrorRetry, options.Timeout));
        Assert.Equal(model, described.ModelName);
        Assert.IsType<SageMakerRuntimeClient>(provider.GetRequiredService<ISageMakerRuntimeClient>());
    }

    [Fact]
    public async Task The_options_delegate_applies_after_binding()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ControlPlaneClient:Region"] = "eu-west-1" }).Build();
        await using var provider = new ServiceCollection()
            .AddControlPlaneClient(configuration, o => (o.ServiceURL, o.AccessKey, o.SecretKey) = (fixture.Service.BaseAddress, "AKID", "secret")).ControlPlane.Services
            .BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<ControlPlaneClientOptions>>().Value;

        Assert.Equal(("eu-west-1", fixture.Service.BaseAddress, true), (options.Region, options.ServiceURL, options.HasCredentials));
    }

    [Fact]
    public async Task Invalid_options_fail_at_start_with_every_problem_named()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ControlPlaneClient:ServiceURL"] = "ftp://example.com",
            ["ControlPlaneClient:Region"] = "Mars",
            ["ControlPlaneClient:AccessKey"] = "AKID",
            ["ControlPlaneClient:MaxErrorRetry"] = "-1",
        }).Build();
        await using var provider = new ServiceCollection().AddControlPlaneClient(configuration).ControlPlane.Services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        var message = string.Join("\n", error.Failures);
        Assert.Contains("ServiceURL must be an absolute http or https address", message, StringComparison.Ordinal);
        Assert.Contains("Region must be a region name", message, StringComparison.Ordinal);
        Assert.Contains("AccessKey and SecretKey must be given together", message, StringComparison.Ordinal);
        Assert.Contains("MaxErrorRetry must be between 0 and 20", message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_client_built_by_hand_checks_its_options_too()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new SageMakerClient(new ControlPlaneClientOptions { SessionToken = "token" }));

        Assert.Contains("SessionToken needs AccessKey and SecretKey.", error.Failures);
    }

    [Fact]
    public void Without_a_ServiceURL_the_clients_address_Amazon_SageMaker_in_the_region()
    {
        var options = new ControlPlaneClientOptions { Region = "ap-southeast-2" };

        Assert.Equal(new Uri("https://api.sagemaker.ap-southeast-2.amazonaws.com/"), options.ControlPlaneAddress);
        Assert.Equal(new Uri("https://runtime.sagemaker.ap-southeast-2.amazonaws.com/"), options.RuntimeAddress);
    }
}
