using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ControlPlane.Api.Tests.Infrastructure;

namespace ControlPlane.Api.Tests;

/// <summary>
/// The inference gateway launched by a control plane with <c>Mode=sigv4</c> (ALPHA and BRAVO in two accounts): it takes
/// the control plane's keys, checks every InvokeEndpoint's signature and payload hash as the control plane does
/// (<c>wire/gateway_sigv4.py</c>, with boto3's sagemaker-runtime), and an account invokes its own endpoints only.
/// One endpoint of ALPHA on the Process runtime (the scripted server) serves every test.
/// </summary>
public sealed class GatewayAuthenticationTests(SignedEndpointFixture fixture) : IClassFixture<SignedEndpointFixture>
{
    private readonly HostingService _hosting = fixture.Hosting;
    private readonly string _endpoint = fixture.Endpoint;

    [Fact]
    public Task Boto3_sagemaker_runtime_signed_with_a_configured_key_is_accepted_and_forgeries_refused_with_AWS_codes() =>
        WireScripts.RunAsync(_hosting.Service, "gateway_sigv4.py", _hosting.Gateway.BaseAddress!.ToString(), _endpoint);

    [Fact]
    public async Task An_invocation_signed_by_an_independent_signer_reaches_the_model_and_an_unsigned_one_is_refused()
    {
        using var signed = new HttpClient(new SigV4SigningHandler(TestAccessKey.Alpha.AccessKeyId, TestAccessKey.Alpha.SecretAccessKey, "ap-south-1")) { BaseAddress = _hosting.Gateway.BaseAddress };

        var accepted = await _hosting.InvokeAsync(_endpoint, "1,2", gateway: signed);
        var unsigned = await _hosting.InvokeAsync(_endpoint, "1,2");

        Assert.True(accepted.Status == HttpStatusCode.OK, accepted.ToString());
        Assert.Equal(("alpha", "1,2"), (accepted.Json["tag"]!.GetValue<string>(), accepted.Json["body"]!.GetValue<string>()));
        Assert.Equal((HttpStatusCode.Forbidden, "MissingAuthenticationTokenException"), (unsigned.Status, unsigned.ErrorCode));
    }

    [Fact]
    public async Task The_route_table_answers_a_caller_with_its_own_accounts_endpoints_only_and_refuses_anonymous_callers()
    {
        var alpha = await RoutesAsync(TestAccessKey.Alpha);
        var bravo = await RoutesAsync(TestAccessKey.Bravo);
        using var anonymous = await _hosting.Service.Http.GetAsync("/internal/routes");

        Assert.Equal((TestAccessKey.Alpha.AccountId, TestAccessKey.Bravo.AccountId), (alpha["accountId"]!.GetValue<string>(), bravo["accountId"]!.GetValue<string>()));
        Assert.Contains(alpha["endpoints"]!.AsArray(), e => e!["name"]!.GetValue<string>() == _endpoint);
        Assert.Empty(bravo["endpoints"]!.AsArray());
        Assert.Equal(HttpStatusCode.Forbidden, anonymous.StatusCode);
    }

    private async Task<JsonNode> RoutesAsync(TestAccessKey key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/internal/routes");
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", key.BasicCredentials);
        using var response = await _hosting.Service.Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonNode.Parse(body)!;
    }
}

/// <summary>The signed control plane and gateway with ALPHA's endpoint InService, once for the test class.</summary>
public sealed class SignedEndpointFixture : IAsyncLifetime
{
    private const string Image = "local/scripted-server:1";

    public HostingService Hosting { get; private set; } = null!;

    public string Endpoint { get; } = Requests.Unique("signed");

    public async Task InitializeAsync()
    {
        Hosting = await HostingService.StartSignedAsync(
            Image,
            [TestAccessKey.Alpha, TestAccessKey.Bravo],
            "--ControlPlane:Containers:Runtime", "process",
            $"--ControlPlane:Containers:ProcessImages:{Image}=/usr/bin/python3 -u {Path.Combine(HostingService.ServerDirectory, "scripted_server.py")}");
        var described = await Hosting.DeployAsync(Endpoint, new JsonObject { ["tag"] = "alpha" });
        Assert.True(described["EndpointStatus"]?.GetValue<string>() == "InService", described.ToJsonString());
    }

    public async Task DisposeAsync()
    {
        if (Hosting is not null)
        {
            await Hosting.DisposeAsync();
        }
    }
}
