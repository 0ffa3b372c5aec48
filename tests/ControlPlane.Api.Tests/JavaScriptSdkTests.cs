using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// The service driven by the AWS SDK for JavaScript v3 (<c>@aws-sdk/client-sagemaker</c>): <c>node wire-js/sdk-v3.mjs
/// url</c> against the real service process (see <see cref="NodeScripts"/>).
/// </summary>
public sealed class JavaScriptSdkTests(ServiceFixture fixture) : IClassFixture<ServiceFixture>
{
    [Fact]
    public async Task The_JavaScript_SDK_v3_drives_every_resource_type_and_sees_typed_errors() =>
        await NodeScripts.RunAsync(fixture.Service, fixture.Service.BaseAddress, "sdk-v3.mjs");
}
